//! Writes a year of a 200-engineer company for benchmarking `boardpack measure`:
//!
//!     cargo run --release --example measure_synth -- OUT_DIR
//!
//! OUT_DIR becomes a report project: `boardpack.toml` listing 20 git
//! repositories (bare, under `repos/`, about 50,000 commits in all, made with
//! `git fast-import`, each with a `.mailmap` and three components), and
//! `data/2026-10/` holding the whole year from November 2025 to October 2026:
//! 5,000 deployments (each naming a commit of its service's repository), 500
//! incidents and 20,000 work items. Then `boardpack measure 2026-10 --root
//! OUT_DIR` reads all of it. Output is deterministic: the same run writes the
//! same files and the same commits.

mod support;

use support::Rng;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use support::write;

const REPOS: usize = 20;
const COMMITS: usize = 50_000;
const ENGINEERS: usize = 200;
const DEPLOYMENTS: usize = 5_000;
const INCIDENTS: usize = 500;
const WORK_ITEMS: usize = 20_000;
/// 2025-11-01T00:00:00Z and 2026-11-01T00:00:00Z: the year measured.
const START: i64 = 1_761_955_200;
const END: i64 = 1_793_491_200;
const COMPONENTS: [&str; 3] = ["src/core/", "src/api/", "src/jobs/"];

/// RFC 3339 in UTC, from seconds since the epoch ("2026-10-05T15:22:05Z").
fn iso(t: i64) -> String {
    jiff::Timestamp::from_second(t).expect("a time within jiff's range").to_string()
}

fn engineer(i: usize) -> (String, String) {
    (format!("Engineer {i:03}"), format!("e{i:03}@example.com"))
}

/// One repository's main line: (commit time, fast-import mark), in time order.
type MainLine = Vec<(i64, usize)>;

/// Writes a repository with `git fast-import`; returns its main line and the
/// SHA of every mark.
fn repository(dir: &Path, r: usize, commits: usize, rng: &mut Rng) -> (MainLine, Vec<String>) {
    let git = |args: &[&str]| {
        let o = Command::new("git").arg("-C").arg(dir).args(args).output().expect("git runs");
        assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    std::fs::create_dir_all(dir).expect("create repository folder");
    git(&["init", "-q", "--bare"]);
    git(&["symbolic-ref", "HEAD", "refs/heads/main"]);
    // A team of ten, one of whom writes most of the core.
    let team: Vec<usize> = (0..10).map(|k| (r * 10 + k) % ENGINEERS).collect();
    let mut stream = String::new();
    let mut main: MainLine = Vec::new();
    let mut mark = 0;
    // Nine commits of ten advance the clock (a merged branch adds three at once).
    let step = (END - START) / (commits as i64 * 8 / 10);
    let mut t = START;
    let mut i = 0;
    while i < commits {
        t += rng.between(step / 4, step * 7 / 4);
        let t = t.min(END - 60);
        // Every tenth change lands as a two-commit branch merged back.
        let branch = i % 10 == 9 && i + 3 <= commits && mark > 0;
        let parent = main.last().map(|m| m.1);
        let mut commit = |stream: &mut String, at: i64, from: Option<usize>, merge: Option<usize>, rng: &mut Rng| {
            mark += 1;
            let who = if rng.next() < 0.08 {
                rng.below(ENGINEERS)
            } else if rng.next() < 0.45 {
                team[0]
            } else {
                team[rng.below(team.len())]
            };
            let (name, mut email) = engineer(who);
            if rng.next() < 0.1 {
                // The same person from another address, unified by .mailmap.
                email = format!("e{who:03}@laptop.example");
            }
            let _ = writeln!(stream, "commit refs/heads/main\nmark :{mark}");
            let _ = writeln!(stream, "author {name} <{email}> {at} +0000\ncommitter {name} <{email}> {at} +0000");
            let message = format!("change {mark}");
            let _ = writeln!(stream, "data {}\n{message}", message.len());
            if let Some(f) = from {
                let _ = writeln!(stream, "from :{f}");
            }
            if let Some(m) = merge {
                let _ = writeln!(stream, "merge :{m}");
            } else {
                if mark == 1 {
                    let mailmap: String = team
                        .iter()
                        .map(|e| format!("Engineer {e:03} <e{e:03}@example.com> <e{e:03}@laptop.example>\n"))
                        .collect();
                    let _ = writeln!(stream, "M 100644 inline .mailmap\ndata {}\n{mailmap}", mailmap.len());
                }
                for _ in 0..1 + rng.below(3) {
                    let component = if rng.next() < 0.15 { "docs/" } else { COMPONENTS[rng.below(3)] };
                    let path = format!("{component}file{}.txt", rng.below(40));
                    let body = format!("{mark}\n");
                    let _ = writeln!(stream, "M 100644 inline {path}\ndata {}\n{body}", body.len());
                }
            }
            stream.push('\n');
            mark
        };
        if branch {
            // Two commits on a side branch from the main line, then the merge.
            let a = commit(&mut stream, t - 7200, parent, None, rng);
            let b = commit(&mut stream, t - 3600, Some(a), None, rng);
            let m = commit(&mut stream, t, parent, Some(b), rng);
            main.push((t, m));
            i += 3;
        } else {
            let c = commit(&mut stream, t, parent, None, rng);
            main.push((t, c));
            i += 1;
        }
    }
    let marks = dir.join("marks");
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .arg(format!("--export-marks={}", marks.display()))
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    child.stdin.take().expect("stdin").write_all(stream.as_bytes()).expect("feed fast-import");
    assert!(child.wait().expect("fast-import finishes").success(), "fast-import failed");
    let mut shas = vec![String::new(); mark + 1];
    for line in std::fs::read_to_string(&marks).expect("read marks").lines() {
        if let Some((m, sha)) = line.trim_start_matches(':').split_once(' ') {
            if let Ok(m) = m.parse::<usize>() {
                shas[m] = sha.to_string();
            }
        }
    }
    std::fs::remove_file(marks).ok();
    (main, shas)
}

fn main() {
    let args = support::args("measure_synth", &["OUT_DIR"]);
    let out = Path::new(&args[0]);
    let mut rng = Rng(0x5eed_2026_1031_0001);
    let mut config =
        String::from("title = \"Engineering report to the board\"\norganisation = \"Synthetic Scale Co\"\n");
    let mut lines: Vec<MainLine> = Vec::new();
    let mut shas: Vec<Vec<String>> = Vec::new();
    for r in 0..REPOS {
        let name = format!("svc-{r:02}");
        let (main, marks) = repository(&out.join("repos").join(format!("{name}.git")), r, COMMITS / REPOS, &mut rng);
        let _ = write!(
            config,
            "\n[[measure.repository]]\npath = \"repos/{name}.git\"\nname = \"{name}\"\ncomponents = [{}]\n",
            COMPONENTS.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
        );
        lines.push(main);
        shas.push(marks);
    }
    write(&out.join("boardpack.toml"), &config);
    write(&out.join("content/2026-10/kpis.toml"), "# Synthetic Scale Co engineering KPIs for 2026-10.\n");

    // Deployments: each service deploys its newest commit from a little while
    // before; some are fixes, a few roll back to the previous deployment.
    let mut deployments = String::from("id,deployed_at,service,environment,status,sha,kind,incident,fixes\n");
    let mut times: Vec<(i64, usize)> =
        (0..DEPLOYMENTS).map(|_| (rng.between(START + 86_400 * 3, END - 60), rng.below(REPOS))).collect();
    times.sort_unstable();
    let mut last: Vec<Option<(String, String)>> = vec![None; REPOS];
    let mut deployed: Vec<(i64, usize, String)> = Vec::new();
    for (n, (t, r)) in times.iter().enumerate() {
        let lag = rng.between(1800, 86_400 * 6);
        let main = &lines[*r];
        let k = main.partition_point(|(ct, _)| *ct <= t - lag);
        let Some(&(_, m)) = main.get(k.saturating_sub(1)) else { continue };
        let id = format!("D{n:05}");
        let roll = rng.next();
        let (sha, kind, fixes) = match &last[*r] {
            Some((prev_id, prev_sha)) if roll < 0.03 => (prev_sha.clone(), "rollback", prev_id.clone()),
            _ if roll < 0.13 => (shas[*r][m].clone(), "fix", String::new()),
            _ => (shas[*r][m].clone(), "planned", String::new()),
        };
        let env = if rng.next() < 0.05 { "staging" } else { "production" };
        let status = if rng.next() < 0.02 { "failed" } else { "success" };
        let _ = writeln!(deployments, "{id},{},svc-{r:02},{env},{status},{sha},{kind},,{fixes}", iso(*t));
        if env == "production" && status == "success" {
            last[*r] = Some((id.clone(), sha));
            deployed.push((*t, *r, id));
        }
    }
    write(&out.join("data/2026-10/deployments.csv"), &deployments);

    // Incidents: some caused by the service's latest deployment.
    let mut incidents = String::from("id,detected_at,restored_at,service,severity,caused_by\n");
    for n in 0..INCIDENTS {
        let detected = rng.between(START, END - 3600);
        let r = rng.below(REPOS);
        let restored = detected + rng.between(600, 30 * 3600);
        let cause = if rng.next() < 0.3 {
            deployed.iter().rev().find(|(t, dr, _)| *dr == r && *t < detected).map(|d| d.2.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        let severity = ["SEV1", "SEV2", "SEV3"][rng.below(3)];
        let _ = writeln!(incidents, "INC-{n:04},{},{},svc-{r:02},{severity},{cause}", iso(detected), iso(restored));
    }
    write(&out.join("data/2026-10/incidents.csv"), &incidents);

    // Work items over two-week sprints, a tenth of them on the roadmap.
    let mut items = String::from(
        "id,type,created_at,started_at,finished_at,sprint,sprint_end,delivered,quarter,due,outcome,effort,found_in\n",
    );
    let sprint_len = 14 * 86_400;
    for n in 0..WORK_ITEMS {
        let created = rng.between(START, END - 86_400);
        let started = created + rng.between(0, 10 * 86_400);
        let finished = started + rng.between(3600, 12 * 86_400);
        let done = finished < END && rng.next() < 0.85;
        let bug = rng.next() < 0.25;
        let sprint = ((started - START) / sprint_len) as usize;
        let sprint_end = START + (sprint as i64 + 1) * sprint_len - 86_400;
        let committed = rng.next() < 0.6;
        let delivered = if done && finished <= sprint_end + 86_400 { "yes" } else { "no" };
        let (sprint, sprint_end, delivered) = if committed {
            (format!("Sprint {}", sprint + 1), iso(sprint_end)[..10].to_string(), delivered)
        } else {
            (String::new(), String::new(), "")
        };
        let roadmap = rng.next() < 0.1;
        let (quarter, due) = if roadmap {
            let due = iso(created + rng.between(20, 80) * 86_400);
            let month: u32 = due[5..7].parse().unwrap_or(1);
            (format!("{}-Q{}", &due[..4], (month - 1) / 3 + 1), due[..10].to_string())
        } else {
            (String::new(), String::new())
        };
        let outcome = if rng.next() < 0.65 { format!("Outcome {}", rng.below(12)) } else { String::new() };
        let found_in = if bug { ["production", "staging", "qa", "review"][rng.below(4)] } else { "" };
        let _ = writeln!(
            items,
            "WI-{n:05},{},{},{},{},{sprint},{sprint_end},{delivered},{quarter},{due},{outcome},{},{found_in}",
            if bug { "bug" } else { "story" },
            iso(created),
            iso(started),
            if done { iso(finished) } else { String::new() },
            [1, 2, 3, 5, 8][rng.below(5)],
        );
    }
    write(&out.join("data/2026-10/work-items.csv"), &items);
    eprintln!(
        "wrote {}: {REPOS} repositories ({COMMITS} commits), {DEPLOYMENTS} deployments, {INCIDENTS} incidents, {WORK_ITEMS} work items",
        out.display()
    );
}
