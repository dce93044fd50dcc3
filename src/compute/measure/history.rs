//! What git history says: the commits each deployment brought to production
//! (for lead time), and who wrote each critical component's recent changes
//! (key-person concentration). Both walk the graph `load::git` read, so
//! 5,000 deployments cost no extra git process.

use std::collections::HashMap;

use crate::base::method::Method;
use crate::load::config::People;
use crate::load::exports::time::Instant;
use crate::load::exports::Deployment;
use crate::load::git::Repository;

use super::said::Said;
use super::{num, percent, yes, Computed, Data, Outcome, Period};

/// Per component of `repo`: the non-merge commits whose committer date lies
/// in `[from, to)` and that touch it, counted by author.
pub(crate) fn ownership(repo: &Repository, from: Instant, to: Instant) -> Vec<Ownership> {
    let names = repo.component_names();
    let mut counts: Vec<HashMap<u32, usize>> = vec![HashMap::new(); names.len()];
    for c in &repo.commits {
        if !c.on_branch || c.parents.len() > 1 || c.commit_time < from || c.commit_time >= to {
            continue;
        }
        for t in &c.touches {
            if let Some(m) = counts.get_mut(usize::from(*t)) {
                *m.entry(c.author).or_default() += 1;
            }
        }
    }
    names
        .into_iter()
        .zip(counts)
        .map(|(component, by_author)| {
            let changes = by_author.values().sum();
            // The most changes; ties go to the alphabetically first name, so output is stable.
            let top = by_author
                .iter()
                .map(|(a, n)| (repo.authors[*a as usize].as_str(), *n))
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(a, n)| (a.to_string(), n));
            Ownership { repository: repo.name.clone(), component, changes, authors: by_author.len(), top }
        })
        .collect()
}

/// A person as evidence names them: their name, or its initials (`Ann
/// Smith`, `Jean-Luc Picard` → `AS`, `JLP`).
fn shown(name: &str, people: People) -> String {
    match people {
        People::Names => name.to_string(),
        People::Initials => name
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter_map(|part| part.chars().find(|c| c.is_alphanumeric()))
            .flat_map(char::to_uppercase)
            .collect(),
    }
}

/// Who authored a component's recent changes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ownership {
    pub(crate) repository: String,
    pub(crate) component: String,
    pub(crate) changes: usize,
    pub(crate) authors: usize,
    /// The author of the most changes, and how many.
    pub(crate) top: Option<(String, usize)>,
}

impl Ownership {
    /// One author wrote more than half of the changes.
    pub(crate) fn concentrated(&self) -> bool {
        self.top.as_ref().is_some_and(|(_, n)| n * 2 > self.changes)
    }
}

/// A commit a deployment brought to production.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    /// Index into the deployments.
    pub(crate) deployment: usize,
    pub(crate) sha: String,
    pub(crate) committed_at: Instant,
}

/// The result of walking each service's deployments through its history.
#[derive(Debug, Default)]
pub(crate) struct Brought {
    pub(crate) changes: Vec<Change>,
    /// Deployments in the period that are the first of their service and
    /// repository in the file: nothing earlier says which commits were new.
    pub(crate) without_baseline: Vec<usize>,
    /// Deployments in the period whose SHA is in no repository (warned at
    /// their line when read): which commits they brought is unknown.
    pub(crate) unlocated: Vec<usize>,
}

/// The commits each deployment in `[from, to)` brought: the non-merge commits
/// reachable from its SHA and from no earlier deployment of the same service
/// (and repository). Earlier deployments in the file, before `from`, serve
/// only as the starting point. After a rollback, the next deployment counts
/// only commits that never reached production before.
pub(crate) fn brought(
    repos: &[Repository],
    deployments: &[Deployment],
    located: &[(usize, usize, u32)],
    from: Instant,
    to: Instant,
) -> Brought {
    // Chains: (service, repo) → deployments in time order.
    let mut chains: HashMap<(&str, usize), Vec<(usize, u32)>> = HashMap::new();
    for &(d, repo, commit) in located {
        chains.entry((deployments[d].service.as_str(), repo)).or_default().push((d, commit));
    }
    let mut keys: Vec<(&str, usize)> = chains.keys().copied().collect();
    keys.sort_unstable();
    let mut out = Brought::default();
    let found: std::collections::HashSet<usize> = located.iter().map(|(d, _, _)| *d).collect();
    out.unlocated = (0..deployments.len())
        .filter(|d| {
            let d2 = &deployments[*d];
            d2.counts() && d2.sha.is_some() && (from..to).contains(&d2.at) && !found.contains(d)
        })
        .collect();
    for key in keys {
        let mut chain = chains.remove(&key).unwrap_or_default();
        chain.sort_by_key(|(d, _)| (deployments[*d].at, deployments[*d].line));
        let repo = &repos[key.1];
        let mut seen = vec![0u64; repo.commits.len().div_ceil(64)];
        let mut stack = Vec::new();
        for (i, (d, commit)) in chain.iter().enumerate() {
            let at = deployments[*d].at;
            if at >= to {
                break;
            }
            let counted = at >= from && i > 0;
            if at >= from && i == 0 {
                out.without_baseline.push(*d);
            }
            stack.push(*commit);
            while let Some(c) = stack.pop() {
                let (word, bit) = (c as usize / 64, 1u64 << (c % 64));
                if seen[word] & bit != 0 {
                    continue;
                }
                seen[word] |= bit;
                let commit = &repo.commits[c as usize];
                if counted && commit.parents.len() <= 1 {
                    out.changes.push(Change {
                        deployment: *d,
                        sha: commit.sha.clone(),
                        committed_at: commit.author_time,
                    });
                }
                stack.extend(commit.parents.iter().copied());
            }
        }
    }
    out
}

/// Key-person concentration: for each listed component, the non-merge commits
/// on the branch touching it whose committer date falls in the 90 calendar
/// days (in the report's zone) before the month's end; concentrated when one author (after the mailmap) wrote more than half
/// of them. Concentrated components as a share of all listed components.
pub(crate) fn key_person_concentration(data: &Data, p: &Period) -> Outcome {
    if data.repositories.is_empty() {
        return Err("boardpack.toml lists no [[measure.repository]] with the components to check".into());
    }
    let from = p.zone.days_before(p.end, 90);
    let mut rows = Vec::new();
    let (mut total, mut concentrated, mut untouched) = (0, 0, 0);
    for repo in &data.repositories {
        for o in ownership(repo, from, p.end) {
            total += 1;
            if o.concentrated() {
                concentrated += 1;
            }
            if o.changes == 0 {
                untouched += 1;
            }
            let (top, top_changes) = o.top.clone().unwrap_or_default();
            let top = shown(&top, data.people);
            let share = if o.changes == 0 { 0.0 } else { top_changes as f64 / o.changes as f64 * 100.0 };
            rows.push(vec![
                o.repository.clone(),
                o.component.clone(),
                o.changes.to_string(),
                o.authors.to_string(),
                top,
                top_changes.to_string(),
                num(share),
                yes(o.concentrated()),
                format!("{} ({})", repo.path, repo.branch),
            ]);
        }
    }
    let measured = Said::new("key_person_concentration")
        .number("concentrated", concentrated as f64)
        .count("components", "components", total)
        .last_day("day", p.month)
        .leaving("unchanged", untouched);
    Ok(Computed::new(Method::KeyPersonConcentration, percent(concentrated as f64, total as f64), measured, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::measure::testdata::{data, october, ok};
    use crate::load::exports::time::Zone;
    use crate::load::git::tests::repo;

    #[test]
    fn ownership_counts_non_merge_changes_per_component_in_the_window() {
        let r = repo(
            &["api/", "web/"],
            &[
                "cccccccc bbbbbbbb aaaaaaaa | Ann | 300 | api/z.rs",
                "bbbbbbbb aaaaaaaa | Bob | 200 | web/a.js api/x.rs",
                "aaaaaaaa | Ann | 100 | api/y.rs",
            ],
        );
        let own = ownership(&r, 0, 1000);
        assert_eq!(own[0].component, "shop:api/");
        assert_eq!((own[0].changes, own[0].authors), (2, 2), "the merge is not a change");
        assert!(!own[0].concentrated(), "1 of 2 is not more than half");
        assert_eq!(own[1].top, Some(("Bob".to_string(), 1)));
        assert!(own[1].concentrated());
        // The window excludes the first commit.
        assert_eq!(ownership(&r, 150, 1000)[0].changes, 1);
    }

    #[test]
    fn key_person_concentration_over_ninety_days() {
        // The 90 days to 31 October start on 2 August. api/: Ann 3, Bob 1 (75%,
        // concentrated); web/: Ann 1, Bob 1 (50% is not more than half); docs/:
        // one change on 1 July only (unchanged). 1 of 3 = 33.3%.
        let end = october().end;
        let t = |days: i64| end - days * 86_400;
        let lines = [
            format!("0000006 0000005 | Ann | {} | api/a.rs web/x.js", t(1)),
            format!("0000005 0000004 | Bob | {} | web/y.js api/b.rs", t(10)),
            format!("0000004 0000003 | Ann | {} | api/c.rs", t(80)),
            format!("0000003 0000002 | Ann | {} | api/d.rs", t(89)),
            format!("0000002 0000001 | Bob | {} | api/e.rs", t(91)),
            format!("0000001 | Cy | {} | docs/readme.md api/f.rs api/g.rs", t(122)),
        ];
        let mut d = data("deployed_at\n", "detected_at\n", "id\n");
        d.repositories = vec![repo(&["api/", "web/", "docs/"], &lines.iter().map(String::as_str).collect::<Vec<_>>())];
        let c = ok(key_person_concentration(&d, &october()));
        assert_eq!(c.value, 33.3);
        assert_eq!(
            c.said(),
            "1 of 3 components with one author of more than half of the changes in the 90 days to 31 October 2026; 1 component unchanged"
        );
        assert_eq!(c.evidence.rows[0][..8], ["shop", "shop:api/", "4", "2", "Ann", "3", "75", "yes"]);
        assert_eq!(c.evidence.rows[2][2], "0");
        d.people = People::Initials;
        assert_eq!(ok(key_person_concentration(&d, &october())).evidence.rows[0][4], "A");
    }

    #[test]
    fn the_ninety_days_are_calendar_days_in_the_report_s_zone() {
        // March 2024 in Los Angeles: the window opens at midnight on 2
        // January (PST). Bob's change at 23:30 on 1 January is 89 days and
        // 23.5 hours of clock time before the month's end (the clocks went
        // forward on 10 March) but not in the 90 days: api/ is Ann's alone.
        let la = Zone::parse("America/Los_Angeles").unwrap();
        let p = Period::new(crate::base::period::Month::new(2024, 3).unwrap(), la.clone());
        let from = la.days_before(p.end, 90);
        assert!(p.end - (from - 1_800) < 90 * 86_400, "inside 90 × 24 hours");
        let lines = [
            format!("0000003 0000002 | Ann | {} | api/a.rs", from + 86_400),
            format!("0000002 0000001 | Ann | {} | api/b.rs", from),
            format!("0000001 | Bob | {} | api/c.rs", from - 1_800),
        ];
        let mut d = data("deployed_at\n", "detected_at\n", "id\n");
        d.repositories = vec![repo(&["api/"], &lines.iter().map(String::as_str).collect::<Vec<_>>())];
        let c = ok(key_person_concentration(&d, &p));
        assert_eq!(c.evidence.rows[0][2..4], ["2", "1"]);
        assert_eq!(c.value, 100.0);
    }

    #[test]
    fn initials_take_the_first_letter_of_each_part_of_a_name() {
        for (name, initials) in [("Ann Smith", "AS"), ("Jean-Luc Picard", "JLP"), ("ann", "A"), ("Łukasz  Żak", "ŁŻ")]
        {
            assert_eq!(shown(name, People::Initials), initials, "{name}");
            assert_eq!(shown(name, People::Names), name);
        }
    }
}
