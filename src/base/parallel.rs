//! The threads that render and typeset, shared by every command.

/// The render threads: as many as there are cores, each with a stack big
/// enough for Typst's layout of long commentary (it recurses deeply; 2 MiB,
/// the default for spawned threads, overflows on real reports).
pub(crate) fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(64 << 20)
            .thread_name(|i| format!("boardpack-render-{i}"))
            .build()
            .unwrap_or_else(|_| {
                // Only a failure to spawn threads with a big stack lands here;
                // a default pool needs nothing more than rayon's global one.
                rayon::ThreadPoolBuilder::new().build().expect("a default thread pool can always be built")
            })
    })
}
