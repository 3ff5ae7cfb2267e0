//! An EHR's FHIR REST API over HTTP (DSTU2, STU3, R4/R4B): the version from `metadata`,
//! a patient's chart from a read and a few searches, paging through `link[next]`, retries
//! on 429/503 honouring Retry-After, a concurrency limit, and an in-memory cache.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::header::{ACCEPT, RETRY_AFTER};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::{Mutex, OnceCell, Semaphore};

use super::smart::{token_url_from_capability, SmartAuth, SmartConfig};
use super::version::{classify, FhirVersion};
use super::{care, news2, r4, BundleSource, FhirError, FhirSource, PatientChart, SEARCH_LIMIT};
use crate::model::{PatientQuery, PatientSummary};

#[derive(Debug, Clone)]
pub enum EhrAuth {
    None,
    /// A static bearer token, as some integration engines issue.
    Bearer(String),
    /// SMART Backend Services (client_credentials, private_key_jwt).
    Smart(SmartConfig),
}

/// Requests in flight to one EHR at once, unless configured. A chart is about ten
/// requests; at 8, thirty charts over an EHR answering in 200 ms took 7.5 s to read, at
/// 32 about 2 s (BENCHMARKS.md). Lower it where the EHR's team asks.
pub const DEFAULT_MAX_CONCURRENT: usize = 32;

#[derive(Debug, Clone)]
pub struct EhrConfig {
    pub base_url: String,
    pub auth: EhrAuth,
    pub timeout: Duration,
    /// Requests in flight to this EHR at once.
    pub max_concurrent: usize,
    /// Pages followed per search; a patient with more is read in part (and says so).
    pub page_cap: usize,
    /// How long a chart read is reused before the EHR is asked again.
    pub cache_ttl: Duration,
    pub max_retries: u32,
    /// How long /readyz trusts the EHR's last answer to `metadata`.
    pub status_fresh: Duration,
}

impl EhrConfig {
    pub fn new(base_url: &str) -> Self {
        EhrConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            auth: EhrAuth::None,
            timeout: Duration::from_secs(20),
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            page_cap: 20,
            cache_ttl: Duration::from_secs(60),
            max_retries: 4,
            status_fresh: Duration::from_secs(30),
        }
    }
}

pub struct HttpSource {
    config: EhrConfig,
    http: reqwest::Client,
    version: OnceCell<FhirVersion>,
    smart: Option<SmartAuth>,
    /// The SMART token endpoint, once found.
    token_url: OnceCell<String>,
    /// The metadata body, kept for finding the token endpoint in it.
    metadata: OnceCell<serde_json::Value>,
    permits: Semaphore,
    cache: Mutex<HashMap<String, Cached>>,
    /// Locations and practitioners read for charts, by `Type/id`.
    shared: Mutex<HashMap<String, (Instant, SharedRead)>>,
    /// Since when the EHR has given no answer at all (see `out_of_reach`).
    unreachable: std::sync::Mutex<Option<Instant>>,
    /// When `metadata` last answered (or failed), for /readyz; held while asking, so
    /// probes at once make one request.
    last_status: Mutex<Option<(Instant, Result<(), String>)>>,
}

/// How long, after a request got no answer at all, others fail at once without asking.
const OUT_OF_REACH_FOR: Duration = Duration::from_secs(5);

/// How long /readyz trusts a failure to reach the EHR (at most as long as an answer):
/// an EHR back up shows soon.
const STATUS_RETRY: Duration = Duration::from_secs(5);
/// A readiness probe must answer before the prober gives up on it.
const STATUS_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
struct SearchSet<'a> {
    #[serde(default, borrow)]
    entry: Vec<SearchEntry<'a>>,
    #[serde(default)]
    link: Vec<Link>,
}

#[derive(Deserialize)]
struct SearchEntry<'a> {
    #[serde(rename = "fullUrl")]
    full_url: Option<String>,
    #[serde(borrow)]
    resource: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Link {
    relation: Option<String>,
    url: Option<String>,
}

/// A read many charts share: filled once, by whichever asked first.
type SharedRead = Arc<OnceCell<Option<String>>>;

/// A chart read (or the EHR's "no such patient") and when.
type Cached = (Instant, Option<Arc<PatientChart>>);

/// What one chart read gathered: resources as (fullUrl, JSON).
pub(super) type Gathered = Vec<(Option<String>, String)>;

impl HttpSource {
    pub fn new(config: EhrConfig) -> Result<Self, FhirError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("wardround/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FhirError::Ehr(e.to_string()))?;
        let smart = match &config.auth {
            EhrAuth::Smart(c) => Some(SmartAuth::new(c.clone())?),
            _ => None,
        };
        Ok(HttpSource {
            permits: Semaphore::new(config.max_concurrent.max(1)),
            config,
            http,
            version: OnceCell::new(),
            smart,
            token_url: OnceCell::new(),
            metadata: OnceCell::new(),
            cache: Mutex::new(HashMap::new()),
            shared: Mutex::new(HashMap::new()),
            unreachable: std::sync::Mutex::new(None),
            last_status: Mutex::new(None),
        })
    }

    /// The EHR's FHIR version, read from `metadata` once it first answers.
    pub async fn version(&self) -> Result<FhirVersion, FhirError> {
        self.version
            .get_or_try_init(|| async {
                let url = format!("{}/metadata", self.config.base_url);
                // Before the version is known, ask for either JSON flavour. The
                // metadata is public: no token is needed (or possible) yet.
                let accept =
                    "application/fhir+json, application/json+fhir;q=0.9, application/json;q=0.8";
                let body = self.fetch_raw(&url, accept, None).await?;
                let body = body.ok_or_else(|| {
                    FhirError::Ehr(format!("{url} answered 404: is this the FHIR base URL?"))
                })?;
                let version = classify(body.as_bytes()).map_err(FhirError::Version)?;
                let _ = self
                    .metadata
                    .set(serde_json::from_str(&body).unwrap_or_default());
                Ok::<_, FhirError>(version)
            })
            .await
            .copied()
    }

    /// The SMART token endpoint: from config, else the CapabilityStatement's
    /// `oauth-uris`, else `.well-known/smart-configuration`.
    async fn token_url(&self, smart: &SmartAuth) -> Result<String, FhirError> {
        self.token_url
            .get_or_try_init(|| async {
                if let Some(url) = smart.configured_token_url() {
                    return Ok(url.to_string());
                }
                self.version().await?;
                if let Some(url) = self.metadata.get().and_then(token_url_from_capability) {
                    return Ok(url);
                }
                let well_known = format!("{}/.well-known/smart-configuration", self.config.base_url);
                let found = self
                    .fetch_raw(&well_known, "application/json", None)
                    .await?
                    .and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
                    .and_then(|v| v["token_endpoint"].as_str().map(str::to_string));
                found.ok_or_else(|| {
                    FhirError::Ehr("the EHR advertises no SMART token endpoint; set it in [ehr] smart_token_url".into())
                })
            })
            .await
            .cloned()
    }

    /// The resource type a request to `url` is for (`Patient`, `metadata`), or `page` for
    /// a next-page link the EHR made up.
    fn resource_of(&self, url: &str) -> String {
        let name = url
            .strip_prefix(&self.config.base_url)
            .unwrap_or_default()
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or_default();
        let plain = name.len() <= 40
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '_'));
        if plain { name } else { "page" }.to_string()
    }

    /// GET with auth; on a 401 with SMART, one retry with a fresh token.
    async fn get(&self, url: &str, accept: &str) -> Result<Option<String>, FhirError> {
        match self.fetch(url, accept).await {
            Err(FhirError::Unauthorized(_)) if self.smart.is_some() => {
                if let Some(smart) = &self.smart {
                    smart.forget().await;
                }
                self.fetch(url, accept).await
            }
            other => other,
        }
    }

    async fn fetch(&self, url: &str, accept: &str) -> Result<Option<String>, FhirError> {
        let bearer = match (&self.config.auth, &self.smart) {
            (EhrAuth::Bearer(token), _) => Some(token.clone()),
            (_, Some(smart)) => Some(
                smart
                    .token(&self.http, &self.token_url(smart).await?)
                    .await?,
            ),
            _ => None,
        };
        self.fetch_raw(url, accept, bearer.as_deref()).await
    }

    /// `Some(when)` while the EHR is out of reach: it gave no answer at all (refused,
    /// timed out) to a request that had used up its retries, within [`OUT_OF_REACH_FOR`].
    fn out_of_reach(&self) -> Option<Instant> {
        let since = *self.unreachable.lock().unwrap_or_else(|p| p.into_inner());
        since.filter(|at| at.elapsed() < OUT_OF_REACH_FOR)
    }

    fn answered(&self, answered: bool) {
        let mut since = self.unreachable.lock().unwrap_or_else(|p| p.into_inner());
        *since = (!answered).then(Instant::now);
    }

    /// GET with the concurrency limit and retries. `Ok(None)` for 404/410.
    async fn fetch_raw(
        &self,
        url: &str,
        accept: &str,
        bearer: Option<&str>,
    ) -> Result<Option<String>, FhirError> {
        // Errors and metrics name the resource, never the URL: its path and query carry
        // patient ids and identifiers.
        let resource = self.resource_of(url);
        let what = format!(
            "{resource} at {}",
            crate::sanitize::url_without_credentials(&self.config.base_url)
        );
        let gone = || {
            FhirError::Ehr(format!(
                "GET {what}: the EHR is not answering; asked again in a few seconds"
            ))
        };
        // An EHR that is down fails each chart at once rather than after every request's
        // retries: a list of thirty then shows `?` in seconds, not minutes, and the
        // requests in flight free the EHR's places for anything else.
        if self.out_of_reach().is_some() {
            return Err(gone());
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| FhirError::Ehr(e.to_string()))?;
        let mut attempt = 0;
        let mut backoff = Duration::from_millis(250);
        loop {
            if attempt > 0 && self.out_of_reach().is_some() {
                return Err(gone());
            }
            let mut req = self.http.get(url).header(ACCEPT, accept);
            if let Some(token) = bearer {
                req = req.bearer_auth(token);
            }
            let started = Instant::now();
            let sent = req.send().await;
            let outcome = match &sent {
                Ok(r) if r.status().is_success() => "ok".to_string(),
                Ok(r) => r.status().as_u16().to_string(),
                Err(_) => "error".to_string(),
            };
            crate::server::metrics::EHR_REQUESTS
                .get_or_create(&crate::server::metrics::EhrLabels {
                    resource: resource.clone(),
                    outcome,
                })
                .observe(started.elapsed().as_secs_f64());
            let resp = match sent {
                Ok(r) => r,
                Err(e)
                    if attempt < self.config.max_retries && (e.is_timeout() || e.is_connect()) =>
                {
                    attempt += 1;
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    continue;
                }
                Err(e) => {
                    // Only the EHR's silence counts against it: a request that could not
                    // be built never reached it.
                    if !e.is_builder() {
                        self.answered(false);
                    }
                    let e = e.without_url();
                    return Err(FhirError::Ehr(format!("GET {what}: {}", describe(&e))));
                }
            };
            self.answered(true);
            let status = resp.status();
            if matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) && attempt < self.config.max_retries
            {
                let wait = retry_after(resp.headers())
                    .unwrap_or(backoff)
                    .min(Duration::from_secs(30));
                attempt += 1;
                tokio::time::sleep(wait).await;
                backoff *= 2;
                continue;
            }
            if matches!(status, StatusCode::NOT_FOUND | StatusCode::GONE) {
                return Ok(None);
            }
            if status == StatusCode::UNAUTHORIZED {
                return Err(FhirError::Unauthorized(format!(
                    "GET {what} answered 401: the EHR did not accept wardround's credentials"
                )));
            }
            let body = resp
                .text()
                .await
                .map_err(|e| FhirError::Ehr(format!("GET {what}: {}", describe(&e))))?;
            if !status.is_success() {
                return Err(FhirError::Ehr(format!(
                    "GET {what} answered {status}{}",
                    outcome_text(&body)
                )));
            }
            return Ok(Some(body));
        }
    }

    /// A search, following `link[next]` up to the page cap.
    async fn search(
        &self,
        query: &str,
        max_pages: usize,
        out: &mut Gathered,
    ) -> Result<(), FhirError> {
        let accept = self.version().await?.media_type();
        let mut url = format!("{}/{}", self.config.base_url, query);
        for _ in 0..self.config.page_cap.min(max_pages) {
            let Some(body) = self.get(&url, accept).await? else {
                return Ok(());
            };
            let page: SearchSet = serde_json::from_str(&body)
                .map_err(|e| FhirError::Ehr(format!("search {query}: {e}")))?;
            for e in &page.entry {
                if let Some(r) = e.resource {
                    out.push((e.full_url.clone(), r.get().to_string()));
                }
            }
            match page
                .link
                .iter()
                .find(|l| l.relation.as_deref() == Some("next"))
                .and_then(|l| l.url.clone())
            {
                Some(next) => url = next,
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// A read of something many charts point at (a ward, a consultant): one read however
    /// many charts ask at once, kept as long as a chart is, so thirty patients on one
    /// ward read it once.
    async fn read_shared(&self, kind: &str, id: &str) -> Result<Option<String>, FhirError> {
        let cell = {
            let mut shared = self.shared.lock().await;
            shared.retain(|_, (at, _)| at.elapsed() < self.config.cache_ttl);
            shared
                .entry(format!("{kind}/{id}"))
                .or_insert_with(|| (Instant::now(), Arc::new(OnceCell::new())))
                .1
                .clone()
        };
        // A failed read leaves the cell empty: the next chart asks again.
        cell.get_or_try_init(|| self.read(kind, id)).await.cloned()
    }

    /// Every page of a search (up to the page cap).
    pub(super) async fn search_pages(
        &self,
        query: &str,
        out: &mut Gathered,
    ) -> Result<(), FhirError> {
        self.search(query, usize::MAX, out).await
    }

    pub(super) async fn read_resource(
        &self,
        kind: &str,
        id: &str,
    ) -> Result<Option<String>, FhirError> {
        self.read(kind, id).await
    }

    /// Whether the EHR's CapabilityStatement offers `_include=include` on `resource`.
    pub(super) fn offers_include(&self, resource: &str, include: &str) -> bool {
        let Some(metadata) = self.metadata.get() else {
            return false;
        };
        metadata["rest"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|rest| {
                rest["resource"].as_array().into_iter().flatten().any(|r| {
                    r["type"] == resource
                        && r["searchInclude"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|i| i == include || i == "*")
                })
            })
    }

    async fn read(&self, kind: &str, id: &str) -> Result<Option<String>, FhirError> {
        let accept = self.version().await?.media_type();
        let url = format!("{}/{kind}/{id}", self.config.base_url);
        self.get(&url, accept).await
    }

    async fn fetch_chart(&self, id: &str) -> Result<Option<Arc<PatientChart>>, FhirError> {
        if !is_fhir_id(id) {
            return Ok(None);
        }
        let version = self.version().await?;
        let medications = if version == FhirVersion::Dstu2 {
            "MedicationOrder"
        } else {
            "MedicationRequest"
        };
        let codes: Vec<&str> = news2::SEARCH_CODES
            .iter()
            .chain(care::CODE_STATUS_CODES.iter())
            .copied()
            .collect();
        let queries = [
            format!("Encounter?patient={id}&_count=50"),
            // By code rather than category: consciousness and inspired oxygen are often
            // charted outside the vital-signs category, and NEWS2 needs them.
            format!(
                "Observation?patient={id}&code={}&_sort=-date&_count=200",
                codes.join(",")
            ),
            format!("Condition?patient={id}&_count=100"),
            format!("AllergyIntolerance?patient={id}&_count=100"),
            format!("CareTeam?patient={id}&_count=20"),
            format!("Flag?patient={id}&_count=50"),
            format!("NutritionOrder?patient={id}&_count=20"),
            format!("{medications}?patient={id}&_count=100"),
            // The most recent results of any kind, for `obs:<LOINC>` columns: one page.
            format!("Observation?patient={id}&_sort=-date&_count=100"),
        ];
        let max_pages = |q: &str| {
            if q.starts_with("Observation?patient") && !q.contains("code=") {
                1
            } else {
                usize::MAX
            }
        };
        let mut pages: Vec<Gathered> = vec![Vec::new(); queries.len()];
        // The patient and their records at once: over a slow EHR each round trip waited
        // for is one every chart waits for.
        let (patient, results) = futures_util::future::join(
            self.read("Patient", id),
            futures_util::future::join_all(
                queries
                    .iter()
                    .zip(pages.iter_mut())
                    .map(|(q, out)| self.search(q, max_pages(q), out)),
            ),
        )
        .await;
        let Some(patient) = patient? else {
            return Ok(None);
        };
        for r in results {
            r?;
        }
        let mut gathered: Gathered = vec![(
            Some(format!("{}/Patient/{id}", self.config.base_url)),
            patient,
        )];
        gathered.extend(pages.into_iter().flatten());
        self.add_locations(&mut gathered).await?;
        self.add_practitioners(&mut gathered).await?;
        // Two searches can return the same resource; read it once.
        let mut seen = std::collections::HashSet::new();
        gathered.retain(|(url, _)| {
            url.as_ref()
                .is_none_or(|u| u.ends_with('/') || seen.insert(u.clone()))
        });
        let bundle = as_bundle(&gathered);
        let (mut source, _report) =
            BundleSource::from_bundles(vec![(format!("Patient/{id}"), bundle)]);
        if let Some(reason) = source.broken_reason(id) {
            return Err(FhirError::Ehr(format!(
                "the EHR's record of Patient/{id} could not be read ({reason})"
            )));
        }
        Ok(source.take(id))
    }

    /// The clinicians the attending column may name: the stay's participants, care
    /// team members and the GP, when the EHR gave references but no display names.
    async fn add_practitioners(&self, gathered: &mut Gathered) -> Result<(), FhirError> {
        let mut wanted: Vec<String> = Vec::new();
        for (_, json) in gathered.iter() {
            let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
            let refs: Vec<&serde_json::Value> = match v["resourceType"].as_str() {
                Some("Encounter") if v["status"] == "in-progress" => v["participant"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| &p["individual"])
                    .collect(),
                Some("CareTeam") => v["participant"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| &p["member"])
                    .collect(),
                Some("Patient") => v["generalPractitioner"]
                    .as_array()
                    .or(v["careProvider"].as_array())
                    .into_iter()
                    .flatten()
                    .collect(),
                _ => Vec::new(),
            };
            for r in refs {
                if r["display"].is_string() {
                    continue;
                }
                if let Some(id) = r["reference"]
                    .as_str()
                    .and_then(|s| typed_id(s, "Practitioner"))
                {
                    if !wanted.contains(&id) {
                        wanted.push(id);
                    }
                }
            }
        }
        // A bound: a care team of fifty is a directory, not a team.
        let wanted: Vec<String> = wanted.into_iter().take(10).collect();
        let read = futures_util::future::join_all(
            wanted.iter().map(|id| self.read_shared("Practitioner", id)),
        )
        .await;
        for (id, json) in wanted.iter().zip(read) {
            if let Some(json) = json? {
                gathered.push((
                    Some(format!("{}/Practitioner/{id}", self.config.base_url)),
                    json,
                ));
            }
        }
        Ok(())
    }

    /// The Locations current inpatient stays point at, and what they are part of.
    async fn add_locations(&self, gathered: &mut Gathered) -> Result<(), FhirError> {
        let mut wanted: Vec<String> = gathered
            .iter()
            .filter_map(|(_, json)| serde_json::from_str::<r4::Encounter>(json).ok())
            .filter(|e| e.status.as_deref() == Some("in-progress"))
            .flat_map(|e| e.location.into_iter().filter_map(|l| l.location.reference))
            .collect();
        let mut seen = std::collections::HashSet::new();
        // Bed → room → ward → (a site, at most): a short chain, bounded against cycles.
        for _ in 0..4 {
            let mut next = Vec::new();
            let ids: Vec<String> = wanted
                .drain(..)
                .filter_map(|reference| location_id(&reference))
                .filter(|id| seen.insert(id.clone()))
                .collect();
            let read = futures_util::future::join_all(
                ids.iter().map(|id| self.read_shared("Location", id)),
            )
            .await;
            for (id, json) in ids.into_iter().zip(read) {
                let Some(json) = json? else {
                    continue;
                };
                if let Some(parent) = serde_json::from_str::<r4::Location>(&json)
                    .ok()
                    .and_then(|l| l.part_of?.reference)
                {
                    next.push(parent);
                }
                gathered.push((
                    Some(format!("{}/Location/{id}", self.config.base_url)),
                    json,
                ));
            }
            wanted = next;
        }
        Ok(())
    }
}

#[async_trait]
impl FhirSource for HttpSource {
    async fn chart(&self, patient_id: &str) -> Result<Option<Arc<PatientChart>>, FhirError> {
        if let Some((at, chart)) = self.cache.lock().await.get(patient_id) {
            if at.elapsed() < self.config.cache_ttl {
                return Ok(chart.clone());
            }
        }
        let chart = self.fetch_chart(patient_id).await?;
        let mut cache = self.cache.lock().await;
        cache.retain(|_, (at, _)| at.elapsed() < self.config.cache_ttl);
        cache.insert(patient_id.to_string(), (Instant::now(), chart.clone()));
        Ok(chart)
    }

    async fn search(&self, query: &PatientQuery) -> Result<Vec<PatientSummary>, FhirError> {
        let accept = self.version().await?.media_type();
        let mut params: Vec<(&str, String)> = vec![("_count", SEARCH_LIMIT.to_string())];
        let field = |f: &Option<String>| {
            f.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        params.extend(field(&query.name).map(|v| ("name", v)));
        params.extend(field(&query.mrn).map(|v| ("identifier", v)));
        params.extend(field(&query.birth_date).map(|v| ("birthdate", v)));
        let url =
            reqwest::Url::parse_with_params(&format!("{}/Patient", self.config.base_url), &params)
                .map_err(|e| FhirError::Ehr(format!("search: {e}")))?;
        let Some(body) = self.get(url.as_str(), accept).await? else {
            return Ok(Vec::new());
        };
        let page: SearchSet =
            serde_json::from_str(&body).map_err(|e| FhirError::Ehr(format!("search: {e}")))?;
        Ok(page
            .entry
            .iter()
            .filter_map(|e| serde_json::from_str::<r4::Patient>(e.resource?.get()).ok())
            .filter_map(|p| Some(super::summary(&p.id.clone()?, &p, chrono::Utc::now())))
            // Servers differ in how loosely they match; hold them to what was asked.
            .filter(|s| super::matches(s, query))
            .take(SEARCH_LIMIT)
            .collect())
    }

    async fn forget(&self, patients: Option<&[String]>) {
        let mut cache = self.cache.lock().await;
        match patients {
            None => {
                cache.clear();
                self.shared.lock().await.clear();
            }
            Some(ids) => ids.iter().for_each(|id| {
                cache.remove(id);
            }),
        }
    }

    async fn census(
        &self,
        location: &super::census::LocationRef,
    ) -> Result<super::census::Census, FhirError> {
        self.version().await?;
        self.read_census(location).await
    }

    async fn patient_list(&self, reference: &str) -> Result<super::census::Census, FhirError> {
        self.read_patient_list(reference).await
    }

    async fn find_locations(
        &self,
        name: &str,
    ) -> Result<Vec<super::census::FoundLocation>, FhirError> {
        self.find_locations(name).await
    }

    /// Asks the EHR's `metadata` again when the last answer is older than
    /// `status_fresh` (30 s): an EHR that went away shows on /readyz within that.
    async fn status(&self) -> Result<String, FhirError> {
        let version = self.version().await?;
        let mut last = self.last_status.lock().await;
        let fresh = last.as_ref().is_some_and(|(at, answer)| {
            let trusted = if answer.is_ok() {
                self.config.status_fresh
            } else {
                STATUS_RETRY.min(self.config.status_fresh)
            };
            at.elapsed() < trusted
        });
        if !fresh {
            let url = format!("{}/metadata", self.config.base_url);
            let answer = self
                .http
                .get(&url)
                .header(ACCEPT, version.media_type())
                .timeout(STATUS_TIMEOUT)
                .send()
                .await
                .map_err(|e| describe(&e))
                .and_then(|r| {
                    if r.status().is_success() {
                        Ok(())
                    } else {
                        Err(format!("it answered {}", r.status()))
                    }
                });
            if answer.is_ok() {
                self.answered(true);
            }
            *last = Some((Instant::now(), answer));
        }
        let base = crate::sanitize::url_without_credentials(&self.config.base_url);
        match last.as_ref().map(|(_, a)| a) {
            Some(Err(why)) => Err(FhirError::Ehr(format!("metadata at {base}: {why}"))),
            _ => Ok(format!("FHIR {} at {base}", version.name())),
        }
    }
}

/// FHIR ids are `[A-Za-z0-9\-\.]{1,64}`: anything else never reaches a URL.
pub fn is_fhir_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

pub(super) fn typed_id(reference: &str, kind: &str) -> Option<String> {
    let mut parts = reference.trim_end_matches('/').rsplit('/');
    let id = parts.next()?;
    (parts.next() == Some(kind) && is_fhir_id(id)).then(|| id.to_string())
}

fn location_id(reference: &str) -> Option<String> {
    typed_id(reference, "Location")
}

fn as_bundle(gathered: &Gathered) -> Vec<u8> {
    let mut out = String::from(r#"{"resourceType":"Bundle","type":"collection","entry":["#);
    for (i, (url, json)) in gathered.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r#"{"fullUrl":"#);
        out.push_str(&serde_json::to_string(url).unwrap_or_else(|_| "null".into()));
        out.push_str(r#","resource":"#);
        out.push_str(json);
        out.push('}');
    }
    out.push_str("]}");
    out.into_bytes()
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        e.to_string()
    }
}

/// The human text of an OperationOutcome body, when the EHR sent one.
fn outcome_text(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let text = v["issue"][0]["diagnostics"]
        .as_str()
        .or_else(|| v["issue"][0]["details"]["text"].as_str());
    text.map(|t| format!(": {}", crate::sanitize::strict(t, 200)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fhir_ids_reach_a_url() {
        assert!(is_fhir_id("smart-1288992"));
        assert!(is_fhir_id("e35e717e-09ad-041e-6858-56f84b32e476"));
        assert!(!is_fhir_id("1/../../admin"));
        assert!(!is_fhir_id("a?b=c"));
        assert!(!is_fhir_id(""));
        assert_eq!(location_id("Location/bed-1"), Some("bed-1".into()));
        assert_eq!(location_id("https://ehr/fhir/Location/7"), Some("7".into()));
        assert_eq!(location_id("Patient/7"), None);
    }
}
