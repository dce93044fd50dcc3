//! A build's destination on disk: the staging folder, the previous output and
//! the project cache, so an unchanged month is linked instead of rendered.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::base::digest::{Blake3, MonthKey, PdfKey};
use crate::base::period::Month;
use crate::render::{Destination, MakePdf, MonthRecord, SiteFile};
use crate::write::cache::{Cache, CachedMonth, RecordedMonth, SiteRecord};
use crate::write::output::Staging;
use crate::Error;

/// A build's destination: the staging folder (under `prefix/` for a
/// portfolio's company), the project cache, and the previous output. An
/// unchanged month is taken from the previous output, or else from the cache,
/// instead of rendered; every month rendered is kept in the cache.
pub(crate) struct ToStaging<'a> {
    staging: &'a Staging,
    prefix: Option<&'a str>,
    cache: &'a Cache,
    /// The previous output's folder for this site, when boardpack wrote it.
    previous: Option<PathBuf>,
    /// Which site of the cache's records this is.
    site: String,
    /// Its months as the previous build recorded them.
    months: SiteRecord,
    files: AtomicUsize,
    reused: AtomicUsize,
    /// Months taken whole from the project cache.
    cached: AtomicUsize,
    pages: std::sync::Mutex<Vec<String>>,
}

impl<'a> ToStaging<'a> {
    pub(crate) fn new(staging: &'a Staging, prefix: Option<&'a str>, cache: &'a Cache, output: &Path) -> ToStaging<'a> {
        let folder = prefix.map_or_else(|| output.to_path_buf(), |p| output.join(p));
        let ours = output.join(crate::write::target::MARKER).is_file();
        let site = crate::write::cache::site_id(output, prefix);
        let months = if ours { cache.months(&site) } else { SiteRecord::default() };
        ToStaging {
            staging,
            prefix,
            cache,
            previous: ours.then_some(folder),
            site,
            months,
            files: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
            cached: AtomicUsize::new(0),
            pages: std::sync::Mutex::default(),
        }
    }

    fn path(&self, rel: &str) -> String {
        match self.prefix {
            Some(p) => format!("{p}/{rel}"),
            None => rel.to_string(),
        }
    }

    fn note(&self, paths: impl Iterator<Item = String>) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let mut count = 0;
        for p in paths {
            count += 1;
            if p.ends_with("index.html") {
                pages.push(p);
            }
        }
        self.files.fetch_add(count, Ordering::Relaxed);
    }

    pub(crate) fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    pub(crate) fn months_reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    pub(crate) fn months_cached(&self) -> usize {
        self.cached.load(Ordering::Relaxed)
    }

    /// The month folder `folder` from the previous output, if it was made
    /// from inputs with this key and is exactly as that build wrote it (a file
    /// changed or added since — its size or time differs — is not trusted).
    fn take_previous(&self, folder: Month, key: &MonthKey) -> Result<Option<MonthRecord>, Error> {
        let (Some(previous), Some(recorded)) = (&self.previous, self.months.months.get(&folder)) else {
            return Ok(None);
        };
        let RecordedMonth { key: was, pdf, stamp } = recorded;
        if was != key {
            return Ok(None);
        }
        let path = self.path(&folder.to_string());
        let Some(linked) = self.staging.link_unchanged(&previous.join(folder.to_string()), &path, stamp)? else {
            return Ok(None);
        };
        self.cache.keep(key, pdf.as_ref());
        self.note(linked.paths.into_iter());
        self.reused.fetch_add(1, Ordering::Relaxed);
        Ok(Some(MonthRecord { folder, key: key.clone(), pdf: pdf.clone(), stamp: linked.stamp }))
    }

    /// Writes rendered files into the staging folder, their paths made the
    /// output's (under the company's folder, for a portfolio).
    fn stage(&self, files: &mut [SiteFile]) -> Result<(), Error> {
        for f in files.iter_mut() {
            f.path = self.path(&f.path);
        }
        self.staging.write(files)?;
        self.note(files.iter().map(|f| f.path.clone()));
        Ok(())
    }

    /// Every page written, by its path in the output, in path order.
    pub(crate) fn pages(&self) -> Vec<String> {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner()).clone();
        pages.sort();
        pages
    }

    /// Records each month's folder, the keys of its inputs and PDF, and the
    /// [`crate::write::output::stamp`] of its files as written (once every
    /// month is: linking a kept file into another month changes its change
    /// time): the next build into the same output reuses a month whose key
    /// is unchanged, if its folder is still as written. The record is kept
    /// in the cache, not the output, whose bytes depend only on the report.
    pub(crate) fn record(&self, months: &[MonthRecord]) {
        let months = months
            .iter()
            .filter_map(|r| {
                let stamp = r.stamp.clone().or_else(|| self.staging.stamp(&self.path(&r.folder.to_string())))?;
                Some((r.folder, RecordedMonth { key: r.key.clone(), pdf: r.pdf.clone(), stamp }))
            })
            .collect();
        self.cache.put_months(&self.site, &SiteRecord { months });
    }
}

impl Destination for ToStaging<'_> {
    fn pdf(&self, key: &PdfKey, typeset: MakePdf<'_>) -> Result<Vec<u8>, Error> {
        if let Some(bytes) = self.cache.get(key) {
            return Ok(bytes);
        }
        let bytes = typeset()?;
        self.cache.put(key, &bytes);
        Ok(bytes)
    }

    fn reuse(&self, folder: Month, key: &MonthKey) -> Result<Option<MonthRecord>, Error> {
        if let Some(record) = self.take_previous(folder, key)? {
            return Ok(Some(record));
        }
        let Some(kept) = self.cache.month(key) else { return Ok(None) };
        let files: Vec<(String, &Path)> =
            kept.files.iter().map(|(rel, path)| (self.path(&format!("{folder}/{rel}")), path.as_path())).collect();
        if self.staging.link_in(&files).is_err() {
            // A kept file gone since it was checked (another build pruned
            // it): none of the month's files stay, and the month is rendered.
            self.staging.remove(&self.path(&folder.to_string()))?;
            return Ok(None);
        }
        self.note(files.into_iter().map(|(path, _)| path));
        self.cached.fetch_add(1, Ordering::Relaxed);
        Ok(Some(MonthRecord { folder, key: key.clone(), pdf: kept.pdf, stamp: None }))
    }

    fn write_month(&self, month: MonthRecord, mut files: Vec<SiteFile>) -> Result<MonthRecord, Error> {
        let prefix = format!("{}/", month.folder);
        let rel: Option<Vec<String>> = files.iter().map(|f| f.path.strip_prefix(&prefix).map(str::to_string)).collect();
        self.stage(&mut files)?;
        // Kept in the cache for builds into other folders: every file, or the month is not kept.
        let Some(rel) = rel else { return Ok(month) };
        let kept: Option<Vec<(Blake3, String)>> = files
            .par_iter()
            .zip(rel)
            .map(|(f, rel)| {
                let digest = Blake3::of(&f.bytes);
                let written = self.staging.path_of(&f.path).ok()?;
                self.cache.keep_file(&digest, &written, &f.bytes).then_some((digest, rel))
            })
            .collect();
        if let Some(files) = kept {
            self.cache.put_month(&month.key, CachedMonth { pdf: month.pdf.clone(), files });
        }
        Ok(month)
    }

    fn write(&self, mut files: Vec<SiteFile>) -> Result<(), Error> {
        self.stage(&mut files)
    }
}
