//! Publishing: what `init --host` sets up for each host, `build --publish`
//! refusing a site that is neither encrypted (with its key) nor declared
//! public, and a new project's first publish: a holding page, and exit 0.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::*;

const WORKFLOW: &str = ".github/workflows/boardpack.yml";

/// `boardpack init` of a new folder named `acme-report` for `host` (none: the
/// default), reporting October 2026. Returns the folder (inside `parent`) and
/// what `init` printed.
fn init(parent: &Path, host: Option<&str>) -> (PathBuf, String) {
    let dir = parent.join("acme-report");
    let mut args = vec!["init", dir.to_str().unwrap(), "--month", "2026-10"];
    if let Some(host) = host {
        args.extend(["--host", host]);
    }
    let o = boardpack(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, stderr(&o))
}

/// The project's site made plain and declared public (`encrypt = true`, as
/// `init` writes it, becomes `public = true`): for tests of what a plain
/// build writes.
pub(crate) fn make_public(project: &Path) {
    let config = project.join("boardpack.toml");
    let text = read(&config);
    assert!(text.contains("\nencrypt = true\n"), "init writes an encrypted site: {text}");
    fs::write(&config, text.replace("\nencrypt = true\n", "\npublic = true\n")).unwrap();
}

/// The project's `encrypt = true` taken out, leaving a plain site that says nothing about who may read it.
fn make_plain(project: &Path) {
    let config = project.join("boardpack.toml");
    fs::write(&config, read(&config).replace("\nencrypt = true\n", "\n")).unwrap();
}

/// `boardpack build --publish` of `project` into `out`, with the environment
/// a workflow gives it: `key` as BOARDPACK_KEY (a secret never set arrives
/// empty), and any `extra` variables.
fn publish(project: &Path, out: &Path, key: &str, extra: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["build", "--publish", "--root", project.to_str().unwrap(), "--output", out.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env("BOARDPACK_KEY", key)
        .env_remove("BOARDPACK_PASSPHRASE")
        .env_remove("GITHUB_ACTIONS")
        .envs(extra.iter().copied())
        .output()
        .expect("run boardpack")
}

#[test]
fn init_writes_the_deployment_for_each_host_and_says_what_to_set_up() {
    let version = env!("CARGO_PKG_VERSION");
    for host in [None, Some("github-pages"), Some("cloudflare"), Some("azure"), Some("folder")] {
        let parent = tempfile::tempdir().unwrap();
        let (dir, printed) = init(parent.path(), host);
        let name = host.unwrap_or("github-pages");
        let config = read(&dir.join("boardpack.toml"));
        assert!(config.contains("\n[publish]\n") && config.contains("\nencrypt = true\n"), "{name}: {config}");
        assert!(config.contains("\n# public = false\n"), "{name}: a plain site is a choice, shown off: {config}");
        assert!(printed.contains("boardpack key new"), "{name}: {printed}");
        let swa = dir.join("staticwebapp.config.json");
        assert_eq!(swa.exists(), name == "azure", "{name}: staticwebapp.config.json");
        if name == "folder" {
            assert!(!dir.join(".github").exists(), "a folder has no deployment");
            assert!(printed.contains("to publish (a folder"), "{printed}");
            continue;
        }
        assert!(printed.contains("gh secret set BOARDPACK_KEY"), "{name}: {printed}");
        let workflow = read(&dir.join(WORKFLOW));
        // The released binary of this very version, checked before it runs: nothing compiles on a push.
        assert!(workflow.contains(&format!("BOARDPACK_VERSION: \"{version}\"")), "{workflow}");
        let install = workflow.find("sha256sum --check --strict").expect("the checksum is checked");
        assert!(install < workflow.find("echo \"$RUNNER_TEMP/$name\" >> \"$GITHUB_PATH\"").unwrap());
        assert!(!workflow.contains("cargo install"), "{workflow}");
        assert!(workflow.contains("path: .boardpack/cache"), "the build cache is kept between runs");
        // The key comes from the repository's secret, into the build that refuses to publish without it.
        assert!(
            workflow.contains("BOARDPACK_KEY: ${{ secrets.BOARDPACK_KEY }}\n        run: boardpack build --publish\n")
        );
        assert!(workflow.contains("# Before the first push") && workflow.contains("gh secret set BOARDPACK_KEY"));
        match name {
            "github-pages" => {
                assert!(workflow.contains("uses: actions/deploy-pages@v5"), "{workflow}");
                assert!(workflow.contains("public on the internet on every plan but GitHub\n# Enterprise Cloud"));
                assert!(printed.contains("build_type=workflow"), "{printed}");
            }
            "cloudflare" => {
                assert!(workflow.contains("uses: cloudflare/wrangler-action@v4"), "{workflow}");
                assert!(workflow.contains("command: pages deploy public --project-name=acme-report --branch=main"));
                for access in ["Zero Trust → Access → Applications", "acme-report.pages.dev", "action Allow"] {
                    assert!(workflow.contains(access), "the Access policy is documented: {access}\n{workflow}");
                }
                assert!(printed.contains("npx wrangler pages project create acme-report"), "{printed}");
            }
            "azure" => {
                assert!(workflow.contains("uses: Azure/static-web-apps-deploy@v1"), "{workflow}");
                assert!(workflow.contains("app_location: public\n") && workflow.contains("config_file_location: /\n"));
                let config: serde_json::Value = serde_json::from_str(&read(&swa)).unwrap();
                assert_eq!(config["routes"], serde_json::json!([{ "route": "/*", "allowedRoles": ["board"] }]));
                assert!(printed.contains("--roles board"), "{printed}");
            }
            other => unreachable!("{other}"),
        }
    }
}

#[test]
fn a_plain_site_is_published_only_when_declared_public() {
    let parent = tempfile::tempdir().unwrap();
    let (dir, _) = init(parent.path(), None);
    make_plain(&dir);
    let out = parent.path().join("site");
    let o = publish(&dir, &out, "", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(said.contains("error: the site is neither encrypted nor declared public"), "{said}");
    assert!(said.contains("boardpack.toml:") && said.contains("`public = true` under [publish]"), "{said}");
    assert!(said.contains("`encrypt = true` under [publish]"), "{said}");
    assert!(!out.exists(), "nothing is written");
    // In GitHub Actions the refusal is also an annotation on the run's summary.
    let o = publish(&dir, &out, "", &[("GITHUB_ACTIONS", "true")]);
    let annotation = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(annotation.starts_with("::error file=boardpack.toml,line="), "{annotation}");
    assert!(annotation.contains(",title=boardpack::the site is neither encrypted nor declared public"), "{annotation}");
    assert!(annotation.contains("%0Ahelp: encrypt it"), "one line, its line break escaped: {annotation}");

    // Said in so many words, it publishes.
    let config = dir.join("boardpack.toml");
    fs::write(&config, read(&config).replace("\n# public = false\n", "\npublic = true\n")).unwrap();
    let o = publish(&dir, &out, "", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // `--drafts` previews: a publish never carries them.
    let o = boardpack(&["build", "--publish", "--drafts", "--root", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn an_encrypted_site_is_not_published_without_its_key() {
    let parent = tempfile::tempdir().unwrap();
    let (dir, _) = init(parent.path(), None);
    let out = parent.path().join("site");
    // The repository secret was never set: the workflow passes it empty.
    let o = publish(&dir, &out, "", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(said.contains("the site is published encrypted (`encrypt = true`), but this run has no key"), "{said}");
    assert!(said.contains("boardpack key new") && said.contains("gh secret set BOARDPACK_KEY"), "{said}");
    assert!(!out.exists(), "nothing is written");
    // Declared public as well, it is still encrypted, and still needs its key.
    let config = dir.join("boardpack.toml");
    fs::write(&config, read(&config).replace("\n# public = false\n", "\npublic = true\n")).unwrap();
    assert_eq!(publish(&dir, &out, " ", &[]).status.code(), Some(1));
    assert!(!out.exists());
}

/// A new project's only month is a draft: its first publish writes a holding
/// page in the report's language, warns, and succeeds, so its first push is green.
#[test]
fn a_fresh_project_publishes_a_holding_page_and_succeeds() {
    let parent = tempfile::tempdir().unwrap();
    let (dir, _) = init(parent.path(), None);
    make_public(&dir);
    let out = parent.path().join("site");
    let o = publish(&dir, &out, "", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(said.contains("warning: nothing is published yet: 2026-10 is a draft"), "{said}");
    assert!(said.contains("content/2026-10/kpis.toml"), "the warning names the month's file: {said}");
    let page = read(&out.join("index.html"));
    assert!(page.contains("<h1>No report published yet</h1>"), "{page}");
    assert!(page.contains("<title>No report published yet · Acme Report</title>"), "{page}");
    assert!(out.join("static/style.css").is_file());
    assert!(!page.contains("archive/index.html"), "no link to pages the holding site does not have: {page}");
    assert_links_resolve(&out);

    // In the report's language.
    let config = dir.join("boardpack.toml");
    fs::write(&config, format!("locale = \"de-DE\"\n{}", read(&config))).unwrap();
    let o = publish(&dir, &out, "", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&out.join("index.html")).contains("<h1>Noch kein Bericht veröffentlicht</h1>"));

    // Once the month is filled in, the report replaces the holding page.
    let values = dir.join("content/2026-10/kpis.toml");
    fs::write(&values, read(&values).replace("\ndraft = true\n", "\nlead-time = 3.1\n")).unwrap();
    let o = publish(&dir, &out, "", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("nothing is published yet"), "{}", stderr(&o));
    assert!(read(&out.join("index.html")).contains("<h1>Oktober 2026</h1>"));
}

/// The first push of a project exactly as `init` wrote it, with the key the
/// workflow passes from the repository's secret: green, and encrypted.
#[test]
fn a_fresh_init_publishes_encrypted_with_its_key() {
    let parent = tempfile::tempdir().unwrap();
    let (dir, _) = init(parent.path(), None);
    let key = boardpack(&["key", "new"]);
    assert!(key.status.success(), "{}", stderr(&key));
    let key = String::from_utf8_lossy(&key.stdout).lines().next().unwrap_or_default().trim().to_string();
    let out = parent.path().join("site");
    let o = publish(&dir, &out, &key, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing is published yet"), "{}", stderr(&o));
    let page = read(&out.join("index.html"));
    assert!(!page.contains("No report published yet") && !page.contains("Acme Report"), "encrypted: {page}");
}

/// Files served over HTTP on 127.0.0.1, as a release's assets are: each
/// `GET /PATH` answers the file under `dir`, or 404. Serves `limit`
/// connections at most, then stops.
#[cfg(unix)]
fn serve_files(dir: &Path, limit: usize) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(limit) {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // The headers, up to the blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("/").trim_start_matches('/').to_string();
            let (status, body) = match fs::read(dir.join(&path)) {
                Ok(bytes) if !path.contains("..") => ("200 OK", bytes),
                _ => ("404 Not Found", Vec::new()),
            };
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    });
    address
}

/// The workflow's install step, run as GitHub's runner runs it: it downloads
/// the pinned version's archive and its `.sha256` from the releases (here, a
/// release laid out as `dist` lays it out, served on 127.0.0.1), checks it,
/// and puts the binary on the PATH; an archive that is not the one released
/// stops it before anything in it runs.
#[cfg(all(unix, target_arch = "x86_64", target_os = "linux"))]
#[test]
fn the_workflow_installs_the_released_binary_only_when_its_checksum_matches() {
    let parent = tempfile::tempdir().unwrap();
    let (dir, _) = init(parent.path(), None);
    let workflow = read(&dir.join(WORKFLOW));
    let start = workflow.find("      - name: Install boardpack").unwrap();
    let script: String = workflow[start..]
        .lines()
        .skip(2) // the step's name and `run: |`
        .take_while(|l| l.starts_with("          "))
        .map(|l| format!("{}\n", &l[10..]))
        .collect();
    assert!(script.contains("sha256sum --check"), "{script}");

    // A release as `dist` makes it: boardpack-TARGET.tar.xz holding
    // boardpack-TARGET/boardpack, and its SHA-256 as `HASH *NAME`. The
    // binary is a stand-in that says its version: what is tested is how it
    // gets onto the runner (xz-compressing the real 100 MB debug binary takes
    // minutes on two cores).
    let version = env!("CARGO_PKG_VERSION");
    let releases = parent.path().join("releases");
    let assets = releases.join(format!("v{version}"));
    let packed = parent.path().join("boardpack-x86_64-unknown-linux-gnu");
    fs::create_dir_all(&packed).unwrap();
    fs::create_dir_all(&assets).unwrap();
    fs::write(packed.join("boardpack"), format!("#!/bin/sh\necho boardpack {version}\n")).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    fs::set_permissions(packed.join("boardpack"), mode).unwrap();
    let archive = assets.join("boardpack-x86_64-unknown-linux-gnu.tar.xz");
    let tar = Command::new("tar")
        .args(["-cJf", archive.to_str().unwrap(), "-C", parent.path().to_str().unwrap()])
        .arg("boardpack-x86_64-unknown-linux-gnu")
        .status()
        .unwrap();
    assert!(tar.success());
    let sum = Command::new("sha256sum").arg(&archive).output().unwrap();
    let hash = String::from_utf8_lossy(&sum.stdout).split(' ').next().unwrap().to_string();
    let checksum = assets.join("boardpack-x86_64-unknown-linux-gnu.tar.xz.sha256");
    fs::write(&checksum, format!("{hash} *boardpack-x86_64-unknown-linux-gnu.tar.xz\n\n")).unwrap();

    let run = |runner: &Path| {
        fs::create_dir_all(runner).unwrap();
        let path_file = runner.join("github-path");
        let o = Command::new("bash")
            .args(["-e", "-c", &script])
            .env("BOARDPACK_VERSION", version)
            .env("BOARDPACK_RELEASES", serve_files(&releases, 4))
            .env("RUNNER_TEMP", runner)
            .env("GITHUB_PATH", &path_file)
            .output()
            .unwrap();
        (o, fs::read_to_string(&path_file).unwrap_or_default())
    };
    let (o, added) = run(&parent.path().join("runner"));
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    let installed = PathBuf::from(added.trim()).join("boardpack");
    let v = Command::new(&installed).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&v.stdout).trim(), format!("boardpack {version}"));

    // One byte changed after the release: nothing is unpacked, nothing put on the PATH.
    let mut bytes = fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&archive, bytes).unwrap();
    let runner = parent.path().join("runner-2");
    let (o, added) = run(&runner);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("FAILED"), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(added.is_empty() && !runner.join("boardpack-x86_64-unknown-linux-gnu").exists());
}
