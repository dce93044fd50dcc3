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
                assert!(workflow.contains("uses: actions/deploy-pages@v4"), "{workflow}");
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
#[ignore = "needs `[publish] encrypt` and `boardpack key new` from the encrypt branch: run once merged"]
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
