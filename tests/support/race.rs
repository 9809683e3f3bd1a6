//! A race: the same work on several threads, each with its own connection, all released by
//! one barrier so they really run at the same time. Used to show that concurrent callers
//! (migrators, lease takers) on SQLite and on PostgreSQL do each thing exactly once.

use std::sync::{Arc, Barrier};
use std::thread;

/// Runs `work` once per connection of `conns`, each on its own thread, started together;
/// returns what each returned, in the order of `conns`. A panic in one fails the race.
pub fn race<C, T>(conns: Vec<C>, work: impl Fn(&mut C) -> T + Send + Sync + 'static) -> Vec<T>
where
    C: Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(conns.len()));
    let work = Arc::new(work);
    let handles: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            let (barrier, work) = (Arc::clone(&barrier), Arc::clone(&work));
            thread::spawn(move || {
                barrier.wait();
                work(&mut conn)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().expect("a racer panicked")).collect()
}
