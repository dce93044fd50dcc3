//! Which connections the preview serves, and for how long.
//!
//! Every connection is a task on one thread, so a crowd of them costs memory,
//! not threads; still, at most [`MAX_CONNECTIONS`] are served at once, reload
//! streams included. hyper reads each request's head within [`HEAD_TIMEOUT`]
//! and at most [`MAX_HEAD`] bytes, and closes the connection after answering.
//!
//! A slow client (one header byte every few seconds) could still hold every
//! place for [`HEAD_TIMEOUT`], connect again, and so keep the author's page
//! at 503 for as long as it likes. So when every place is taken, a new
//! connection takes the place of the one that has been sending its head the
//! longest, if that one has had [`PATIENCE`] already: a browser sends its
//! head at once, so only a slow client is ever closed. Connections beyond the
//! limit that can take no place are told 503 (at most [`MAX_CONNECTIONS`] of
//! them at a time), and the rest are closed.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::ready;
use std::net::TcpListener as StdListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use super::http::{self, MAX_HEADERS};
use super::State;

/// Connections served at once, reload streams included (each open page holds one).
const MAX_CONNECTIONS: usize = 64;
/// The longest a client may take to send its whole request head, counted from
/// the moment it connects.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may send its head before a new one may take its place.
const PATIENCE: Duration = Duration::from_secs(2);
/// The most bytes of a request head read. More than hyper's 64 KiB limit on a
/// request target, so that a very long one is read whole and told 414, not 431.
const MAX_HEAD: usize = 128 * 1024;
/// The longest an answer may take to be sent (a client that stopped reading
/// must not keep its place); reload streams are not bounded.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a connection turned away has to send its request.
const BUSY_HEAD_TIMEOUT: Duration = Duration::from_secs(1);

/// Accepts connections until the process ends.
pub(super) async fn serve(listener: StdListener, state: Arc<State>, port: u16) -> std::io::Result<()> {
    let listener = TcpListener::from_std(listener)?;
    let places = Arc::new(Mutex::new(Places::default()));
    tokio::spawn(watch_answers(Arc::clone(&places)));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, for instance: some will be freed as
            // connections end.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (admitted, closed) = lock(&places).admit(Instant::now());
        // Ended outside the lock: a task's end gives its place back, which locks.
        if let Some(task) = closed {
            task.abort();
        }
        match admitted {
            Admitted::Served(id) => {
                let place = Place { id, places: Arc::clone(&places) };
                let task = tokio::spawn(served(stream, place, Arc::clone(&state), port));
                if let Some(task) = lock(&places).started(id, task.abort_handle()) {
                    task.abort();
                }
            }
            Admitted::Busy => {
                let turned = TurnedAway(Arc::clone(&places));
                tokio::spawn(busy(stream, turned));
            }
            Admitted::Closed => drop(stream),
        }
    }
}

/// What a connection is doing, which decides whether it may be closed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    /// Sending its request head, since its connection.
    Head,
    /// Being answered, since its head arrived.
    Answer,
    /// Holding a reload stream open.
    Stream,
}

/// The connections being served, and how many are being told 503.
#[derive(Default)]
struct Places {
    next: u64,
    open: HashMap<u64, Open>,
    busy: usize,
}

struct Open {
    stage: Stage,
    since: Instant,
    /// `None` for the moment between taking the place and starting the task.
    task: Option<AbortHandle>,
}

/// What becomes of a new connection.
#[derive(Debug, PartialEq)]
enum Admitted {
    Served(u64),
    Busy,
    Closed,
}

impl Places {
    /// Gives a new connection a place: a free one, or the place of the
    /// connection that has been sending its head the longest, past
    /// [`PATIENCE`], whose task is returned to be ended.
    fn admit(&mut self, now: Instant) -> (Admitted, Option<AbortHandle>) {
        let mut closed = None;
        if self.open.len() >= MAX_CONNECTIONS {
            let slowest = self
                .open
                .iter()
                .filter(|(_, open)| open.stage == Stage::Head && now.duration_since(open.since) >= PATIENCE)
                .min_by_key(|(_, open)| open.since)
                .map(|(id, _)| *id);
            match slowest {
                Some(id) => closed = self.close(id),
                None if self.busy < MAX_CONNECTIONS => {
                    self.busy += 1;
                    return (Admitted::Busy, None);
                }
                None => return (Admitted::Closed, None),
            }
        }
        let id = self.next;
        self.next += 1;
        self.open.insert(id, Open { stage: Stage::Head, since: now, task: None });
        (Admitted::Served(id), closed)
    }

    /// Records a connection's task; returns it if the connection was closed
    /// meanwhile, to be ended.
    fn started(&mut self, id: u64, task: AbortHandle) -> Option<AbortHandle> {
        match self.open.get_mut(&id) {
            Some(open) => {
                open.task = Some(task);
                None
            }
            None => Some(task),
        }
    }

    fn moved(&mut self, id: u64, stage: Stage, now: Instant) {
        if let Some(open) = self.open.get_mut(&id) {
            open.stage = stage;
            open.since = now;
        }
    }

    /// Frees a connection's place at once, and returns its task to be ended
    /// (which drops its socket).
    fn close(&mut self, id: u64) -> Option<AbortHandle> {
        self.open.remove(&id).and_then(|open| open.task)
    }

    /// Answers that have taken longer than [`ANSWER_TIMEOUT`].
    fn overdue(&self, now: Instant) -> Vec<u64> {
        let late = |open: &Open| open.stage == Stage::Answer && now.duration_since(open.since) > ANSWER_TIMEOUT;
        self.open.iter().filter(|(_, open)| late(open)).map(|(id, _)| *id).collect()
    }
}

/// A poisoned lock means a task panicked between two statements that each
/// leave the places consistent; keep using them.
fn lock(places: &Mutex<Places>) -> MutexGuard<'_, Places> {
    places.lock().unwrap_or_else(|p| p.into_inner())
}

/// A connection's place, given back when its task ends or is closed.
struct Place {
    id: u64,
    places: Arc<Mutex<Places>>,
}

impl Drop for Place {
    fn drop(&mut self) {
        lock(&self.places).open.remove(&self.id);
    }
}

/// A connection being told 503, counted until it ends.
struct TurnedAway(Arc<Mutex<Places>>);

impl Drop for TurnedAway {
    fn drop(&mut self) {
        lock(&self.0).busy -= 1;
    }
}

/// hyper's settings for every connection: one request each, its head within
/// `head_timeout`, the header names as browsers' developer tools show them.
fn http(head_timeout: Duration) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(head_timeout)
        .max_buf_size(MAX_HEAD)
        .max_headers(MAX_HEADERS)
        .keep_alive(false)
        .title_case_headers(true)
        .auto_date_header(false);
    http
}

async fn served(mut stream: TcpStream, place: Place, state: Arc<State>, port: u16) {
    let service = service_fn(|request| {
        let (response, stream) = http::answer(&request, &state, port);
        let stage = if stream { Stage::Stream } else { Stage::Answer };
        lock(&place.places).moved(place.id, stage, Instant::now());
        ready(Ok::<_, Infallible>(response))
    });
    let _ = http(HEAD_TIMEOUT).serve_connection(TokioIo::new(&mut stream), service).await;
    linger(&mut stream, Duration::from_secs(2)).await;
}

/// Tells a connection 503 once its request has arrived, and closes it at
/// once: its place among the turned-away is soon free for the next.
async fn busy(stream: TcpStream, _turned: TurnedAway) {
    let service = service_fn(|_| ready(Ok::<_, Infallible>(http::busy())));
    let _ = http(BUSY_HEAD_TIMEOUT).serve_connection(TokioIo::new(stream), service).await;
}

/// After the answer: says the server is done writing, then reads and drops
/// what the client still sends, for at most `time`. Closing with unread data
/// would reset the connection, and the client might lose the answer (a 431
/// for a head that never ends, for instance).
async fn linger(stream: &mut TcpStream, time: Duration) {
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 8192];
    let drain = async { while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {} };
    let _ = tokio::time::timeout(time, drain).await;
}

/// Closes connections whose answer is overdue, checking every second.
async fn watch_answers(places: Arc<Mutex<Places>>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let closed: Vec<AbortHandle> = {
            let mut places = lock(&places);
            places.overdue(Instant::now()).into_iter().filter_map(|id| places.close(id)).collect()
        };
        closed.iter().for_each(AbortHandle::abort);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Places all taken, at `start`, by connections at `stage`.
    fn full_of(stage: Stage, start: Instant) -> Places {
        let mut places = Places::default();
        for _ in 0..MAX_CONNECTIONS {
            let (Admitted::Served(id), None) = places.admit(start) else { panic!("not served") };
            places.moved(id, stage, start);
        }
        places
    }

    #[test]
    fn a_full_server_turns_away_new_connections() {
        let start = Instant::now();
        let mut places = full_of(Stage::Head, start);
        for _ in 0..MAX_CONNECTIONS {
            assert_eq!(places.admit(start + PATIENCE / 2).0, Admitted::Busy);
        }
        assert_eq!(places.admit(start + PATIENCE / 2).0, Admitted::Closed);
        assert_eq!(places.open.len(), MAX_CONNECTIONS);
        // Answers and reload streams keep their places however long they take.
        for stage in [Stage::Answer, Stage::Stream] {
            let mut places = full_of(stage, start);
            assert_eq!(places.admit(start + PATIENCE * 10).0, Admitted::Busy, "{stage:?}");
        }
    }

    #[test]
    fn the_slowest_head_gives_its_place_once_it_had_time() {
        let start = Instant::now();
        let mut places = full_of(Stage::Head, start + Duration::from_secs(1));
        let slowest = *places.open.keys().min().unwrap();
        places.moved(slowest, Stage::Head, start);
        // Not before it has had its patience.
        assert_eq!(places.admit(start + PATIENCE - Duration::from_millis(1)).0, Admitted::Busy);
        let Admitted::Served(new) = places.admit(start + PATIENCE).0 else { panic!("no place taken") };
        assert!(!places.open.contains_key(&slowest) && places.open.contains_key(&new));
        assert_eq!(places.open.len(), MAX_CONNECTIONS);
        // The next-slowest goes next; the newcomer is not yet past its patience.
        let later = start + PATIENCE + Duration::from_secs(1);
        assert!(matches!(places.admit(later).0, Admitted::Served(_)));
        assert!(places.open.contains_key(&new));
    }

    #[test]
    fn only_answers_are_overdue() {
        let start = Instant::now();
        let mut places = Places::default();
        for stage in [Stage::Head, Stage::Answer, Stage::Stream] {
            let Admitted::Served(id) = places.admit(start).0 else { panic!("not served") };
            places.moved(id, stage, start);
        }
        assert!(places.overdue(start + ANSWER_TIMEOUT).is_empty());
        let overdue = places.overdue(start + ANSWER_TIMEOUT * 2);
        assert_eq!(overdue.len(), 1);
        assert_eq!(places.open[&overdue[0]].stage, Stage::Answer);
    }
}
