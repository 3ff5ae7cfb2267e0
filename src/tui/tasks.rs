//! The background tasks of one user's session, owned: loads, the outbox's retries,
//! receipts and the event stream end together when the session does (quit, or a switch
//! of user), instead of running on for the next user.

use std::future::Future;

use tokio::task::{JoinHandle, JoinSet};

/// Dropping it aborts every task it holds.
#[derive(Debug, Default)]
pub struct Tasks {
    set: JoinSet<()>,
}

impl Tasks {
    pub fn spawn(&mut self, task: impl Future<Output = ()> + Send + 'static) {
        // Finished tasks wait in the set for their result to be taken: take them, or a
        // long session would keep one per request it ever made.
        while self.set.try_join_next().is_some() {}
        self.set.spawn(task);
    }

    /// Owns a task spawned elsewhere (the event stream): it ends with the others.
    pub fn adopt(&mut self, handle: JoinHandle<()>) {
        let handle = AbortOnDrop(handle);
        self.spawn(async move {
            let mut handle = handle;
            let _ = (&mut handle.0).await;
        });
    }

    /// Tasks not yet finished (or finished and not yet taken).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.set.len()
    }
}

/// A `JoinHandle` only detaches its task when dropped; this ends it.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A task that never finishes by itself, holding a sender of `alive` until it ends.
    fn forever(alive: &tokio::sync::mpsc::Sender<()>) -> impl Future<Output = ()> {
        let alive = alive.clone();
        async move {
            let _alive = alive;
            std::future::pending::<()>().await
        }
    }

    #[tokio::test]
    async fn dropping_the_tasks_ends_them_and_the_tasks_they_adopted() {
        let (alive, mut ended) = tokio::sync::mpsc::channel::<()>(1);
        let mut tasks = Tasks::default();
        tasks.spawn(forever(&alive));
        tasks.adopt(tokio::spawn(forever(&alive)));
        drop(alive);
        tokio::task::yield_now().await;
        assert_eq!(tasks.len(), 2);

        drop(tasks);
        // The channel closes only once every task holding a sender has ended.
        let closed = tokio::time::timeout(Duration::from_secs(5), ended.recv()).await;
        assert_eq!(closed, Ok(None), "a task outlived its session");
    }

    #[tokio::test]
    async fn finished_tasks_are_not_kept() {
        let mut tasks = Tasks::default();
        for _ in 0..10 {
            tasks.spawn(async {});
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(tasks.len() <= 2, "{} kept", tasks.len());
    }
}
