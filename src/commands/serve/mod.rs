//! `boardpack serve`: a live preview for the author, on 127.0.0.1 only.
//!
//! The site is rendered into memory (nothing is written to disk, so there is no
//! temporary folder to clean up and Ctrl-C always leaves the project as it
//! was), served over HTTP/1.1 by hyper ([`http`] answers a request,
//! [`connections`] decides which connections are served), and rebuilt when the
//! sources change ([`watch`]). Open pages reload through a server-sent event.
//! A content error keeps the last good build served and shows the diagnostics
//! over every page until it is fixed. The reload script is added to responses
//! here, never to `build` output.
//!
//! A portfolio is previewed too, and incrementally ([`preview`]): an edit under
//! `companies/SLUG/` reloads and re-renders that company and the overview
//! only, so the preview of a hundred companies stays as quick as one's.

mod connections;
mod http;
mod preview;
mod watch;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::Instant;

use crate::base::error::describe;
use crate::load::theme::Palette;
use crate::load::workspace::Kind;
use crate::Error;
use preview::{Engine, Update};
use watch::{fingerprint, Watcher};

/// What `serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The report project or portfolio.
    pub root: PathBuf,
    /// `None`: any free port.
    pub port: Option<u16>,
    /// Poll the sources instead of asking the system for notifications.
    pub poll: bool,
}

/// The served files. Values are shared so that updating a few entries copies
/// pointers, not the whole site, when a request still holds the old map.
type Files = HashMap<String, Arc<[u8]>>;

/// The site being served and the state of the last build.
struct State {
    files: RwLock<Arc<Files>>,
    /// The last build's error, shown over every page until a build succeeds.
    error: RwLock<Option<String>>,
    /// The colours of the last good build's theme, for the error overlay.
    palette: RwLock<Palette>,
    /// Counts the builds; open pages wait on it to reload.
    generation: tokio::sync::watch::Sender<u64>,
}

/// Starts the server; calls `ready` with the bound address and a description
/// of what is watched once it accepts connections, then serves until the
/// process ends.
pub fn serve(options: &ServeOptions, ready: impl FnOnce(SocketAddr, &str)) -> Result<(), Error> {
    let port = options.port.unwrap_or(0);
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => Error::Refused {
            what: format!("port {port} on 127.0.0.1 is already in use"),
            help: "choose another with --port, or leave --port out to use a free one".into(),
        },
        _ => Error::io(Path::new("127.0.0.1"), e),
    })?;
    let state = Arc::new(State {
        files: RwLock::new(Arc::new(HashMap::new())),
        error: RwLock::new(None),
        palette: RwLock::new(Palette::from_css(None)),
        generation: tokio::sync::watch::Sender::new(0),
    });
    // Watch before the first build, so an edit made while it runs (or before
    // the watcher thread is scheduled) still triggers a rebuild.
    let watcher = match options.poll {
        true => Watcher::Poll(fingerprint(&options.root)),
        false => Watcher::start(&options.root),
    };
    let kind = Kind::of(&options.root);
    let mut engine = Engine::new();
    rebuild(&options.root, &state, &mut engine, &[]);
    let addr = listener.local_addr().map_err(|e| Error::io(Path::new("127.0.0.1"), e))?;
    {
        let root = options.root.clone();
        let state = Arc::clone(&state);
        thread::spawn(move || watcher.run(&root, &state, engine));
    }
    // One thread serves every connection; it is made before `ready`, so a
    // failure to make it is an error, not a server that never answers.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::io(Path::new("127.0.0.1"), e))?;
    listener.set_nonblocking(true).map_err(|e| Error::io(Path::new("127.0.0.1"), e))?;
    ready(addr, kind.sources());
    runtime.block_on(connections::serve(listener, state, addr.port())).map_err(|e| Error::io(Path::new("127.0.0.1"), e))
}

/// Renders what changed and swaps it in, or records the error and keeps the
/// last good site.
fn rebuild(root: &Path, state: &State, engine: &mut Engine, changed: &[PathBuf]) {
    let started = Instant::now();
    match engine.update(root, changed) {
        Ok((update, months, palette)) => {
            *write(&state.palette) = palette;
            let mut files = write(&state.files);
            match update {
                Update::All(all) => {
                    *files = Arc::new(all.into_iter().map(|f| (f.path, Arc::from(f.bytes))).collect());
                }
                Update::Part { folders, paths, files: new } => {
                    let map = Arc::make_mut(&mut files);
                    map.retain(|path, _| !folders.iter().any(|f| path.starts_with(f.as_str())));
                    for path in &paths {
                        map.remove(path);
                    }
                    map.extend(new.into_iter().map(|f| (f.path, Arc::from(f.bytes))));
                }
            }
            drop(files);
            *write(&state.error) = None;
            eprintln!("built {months} month(s) in {} ms", started.elapsed().as_millis());
        }
        Err(e) => {
            let text = describe(&e);
            eprintln!("{text}");
            eprintln!("build failed: still serving the last good build");
            *write(&state.error) = Some(text);
        }
    }
    state.generation.send_modify(|generation| *generation += 1);
}

/// A poisoned lock only means another request thread panicked mid-write of a
/// whole value; the value itself is still a complete one, so keep using it.
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}
