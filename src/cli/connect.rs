//! `wardround` with no command: log in and run the app; when a user locks the app and
//! switches, the next person logs in as themselves.

use color_eyre::eyre::Result;

use wardround::config::{self, Config};
use wardround::tui::{self, theme::Theme};

use super::login::log_in;
use super::Context;

/// The app's options from the config (the demo's too).
pub fn tui_options(config: &Config, present: bool) -> Result<tui::Options> {
    let themes_dir =
        config::default_config_path().and_then(|p| p.parent().map(|d| d.join("themes")));
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let load = |name: &str| -> Result<Theme> {
        let theme = Theme::load(name, themes_dir.as_deref())?;
        Ok(if no_color {
            theme.without_color()
        } else {
            theme
        })
    };
    Ok(tui::Options {
        theme: load(&config.ui.theme)?,
        present,
        present_theme: load(&config.profiles.present.theme)?,
        present_columns: config.profiles.present.columns.clone(),
        reduced_motion: config.ui.reduced_motion || no_color,
        notify: config.ui.notify.clone(),
        mouse: config.ui.mouse,
        lock_idle_secs: config.lock.idle_secs,
        list_prefs: config.lists.clone(),
        demo_password: None,
    })
}

pub async fn run(cx: Context, present: bool) -> Result<()> {
    let Context {
        mut config,
        password_stdin,
        ..
    } = cx;
    let options = tui_options(&config, present)?;
    loop {
        let client = log_in(&config, password_stdin).await?;
        let me = client.me().await?;
        match tui::run(client, me, &options).await? {
            tui::Exit::Quit => return Ok(()),
            // The next person logs in as themselves: ask who.
            tui::Exit::SwitchUser if !password_stdin => {
                eprintln!("wardround: logged out.");
                config.server.username.clear();
            }
            tui::Exit::SwitchUser => return Ok(()),
        }
    }
}
