//! Where `init` sets a report up to be published: the deployment it writes
//! for each host (`init --host`), and what is left to do before the first push.
//!
//! Every host gets an encrypted site (`[publish] encrypt = true` in the
//! `boardpack.toml` `init` writes), its key from the repository secret
//! `BOARDPACK_KEY`, built with `boardpack build --publish`, which refuses to
//! publish without it. Cloudflare and Azure add a login in front: the key
//! keeps the report closed if that login is missing or mis-set, and the login
//! lets one reader in or out without changing the key.
//!
//! The workflows install a released boardpack, checked against the release's
//! SHA-256 before it runs, so a push compiles nothing.

use std::str::FromStr;

/// A place `init` knows how to publish to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Host {
    /// GitHub Pages, published by a GitHub Actions workflow. Public on every
    /// plan but Enterprise Cloud, so the site's encryption is its only lock.
    #[default]
    GithubPages,
    /// Cloudflare Pages through wrangler, behind a Cloudflare Access policy.
    Cloudflare,
    /// Azure Static Web Apps, every route for the `board` role only.
    Azure,
    /// No deployment: `build` writes the folder, to copy anywhere.
    Folder,
}

impl Host {
    /// The names `init --host` takes, the default first.
    pub const NAMES: [&'static str; 4] = ["github-pages", "cloudflare", "azure", "folder"];

    /// The name `init --host` takes for it.
    pub fn name(self) -> &'static str {
        match self {
            Host::GithubPages => Host::NAMES[0],
            Host::Cloudflare => Host::NAMES[1],
            Host::Azure => Host::NAMES[2],
            Host::Folder => Host::NAMES[3],
        }
    }

    /// How the host is called in what `init` prints.
    pub fn title(self) -> &'static str {
        match self {
            Host::GithubPages => "GitHub Pages",
            Host::Cloudflare => "Cloudflare Pages behind Cloudflare Access",
            Host::Azure => "Azure Static Web Apps, for the `board` role",
            Host::Folder => "a folder to copy to any host or share",
        }
    }

    /// The files the deployment needs, relative to the project root, for a
    /// project whose name on the host is `name` (see [`site_name`]).
    pub(crate) fn files(self, name: &str) -> Vec<(String, String)> {
        let workflow = match self {
            Host::GithubPages => PAGES,
            Host::Cloudflare => CLOUDFLARE,
            Host::Azure => AZURE,
            Host::Folder => return Vec::new(),
        };
        let mut files = vec![(WORKFLOW_FILE.to_string(), fill(workflow, name))];
        if self == Host::Azure {
            files.push((SWA_CONFIG_FILE.to_string(), SWA_CONFIG.to_string()));
        }
        files
    }

    /// What to do before the first publish, each a command (or where to click)
    /// and what it is for, for a project named `name` on the host.
    pub fn before_first_push(self, name: &str) -> Vec<(String, String)> {
        let step = |command: &str, why: &str| (command.replace("{NAME}", name), why.replace("{NAME}", name));
        let mut steps = vec![step(
            "gh secret set BOARDPACK_KEY --body \"$(boardpack key new)\"",
            "a new site key, kept as the repository's secret, which the workflow encrypts the site with; \
             `boardpack key new` also prints the link that opens the site, to give the board",
        )];
        match self {
            Host::GithubPages => steps.push(step(
                "gh api -X POST \"repos/{owner}/{repo}/pages\" -f build_type=workflow",
                "turn on GitHub Pages, published by the workflow",
            )),
            Host::Cloudflare => steps.extend([
                step(
                    "npx wrangler pages project create {NAME} --production-branch main",
                    "the Pages project the workflow deploys to",
                ),
                step("gh secret set CLOUDFLARE_ACCOUNT_ID", "the Cloudflare account that holds it"),
                step("gh secret set CLOUDFLARE_API_TOKEN", "an API token allowed \"Cloudflare Pages: Edit\""),
                step(
                    "Zero Trust → Access → Applications → Add → Self-hosted",
                    "put Cloudflare Access in front of {NAME}.pages.dev and *.{NAME}.pages.dev, allowing the \
                     board's email addresses (the workflow's comments say how)",
                ),
            ]),
            Host::Azure => steps.extend([
                step("az staticwebapp create --name {NAME} --resource-group GROUP --sku Free", "the Static Web App"),
                step(
                    "az staticwebapp secrets list --name {NAME} --query properties.apiKey -o tsv | gh secret set AZURE_STATIC_WEB_APPS_API_TOKEN",
                    "the token the workflow deploys with",
                ),
                step(
                    "az staticwebapp users invite --name {NAME} --authentication-provider AAD --user-details EMAIL --roles board --domain HOSTNAME --invitation-expiration-in-hours 168",
                    "for each reader: only the `board` role may read any page",
                ),
            ]),
            Host::Folder => {
                steps = vec![
                    step("boardpack key new", "a new site key, and the link that opens the site, to give the board"),
                    step(
                        "BOARDPACK_KEY=… boardpack build",
                        "with the key from where you keep it: public/, encrypted, to copy to any host or share",
                    ),
                ];
            }
        }
        steps
    }
}

impl FromStr for Host {
    type Err = String;

    fn from_str(s: &str) -> Result<Host, String> {
        [Host::GithubPages, Host::Cloudflare, Host::Azure, Host::Folder]
            .into_iter()
            .find(|h| h.name() == s)
            .ok_or_else(|| format!("unknown host `{s}`: use one of {}", Host::NAMES.join(", ")))
    }
}

/// The workflow every host but a folder gets.
pub(crate) const WORKFLOW_FILE: &str = ".github/workflows/boardpack.yml";
/// Azure Static Web Apps' routes and roles, at the project root (the
/// workflow points the deployment at it).
pub(crate) const SWA_CONFIG_FILE: &str = "staticwebapp.config.json";

/// The project's name on a host (a Cloudflare Pages project, a Static Web
/// App): its folder's name in lower case, runs of anything but letters and
/// digits made one `-`, at most 58 characters (Cloudflare's limit).
pub(crate) fn site_name(folder: &str) -> String {
    let mut name = String::new();
    for c in folder.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let name: String = name.chars().take(58).collect();
    let name = name.trim_end_matches('-');
    if name.is_empty() {
        "board-report".to_string()
    } else {
        name.to_string()
    }
}

/// Where the workflows download boardpack's releases from: this crate's
/// repository (Cargo.toml), whose release workflow publishes the archives.
const RELEASES: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/releases/download");

/// A workflow for this version of boardpack and the project `name`.
fn fill(template: &str, name: &str) -> String {
    template
        .replace("{SETUP}", SETUP.trim_end())
        .replace("{BUILD}", BUILD.trim_end())
        .replace("{VERSION}", env!("CARGO_PKG_VERSION"))
        .replace("{RELEASES}", RELEASES)
        .replace("{NAME}", name)
}

/// The start of every workflow's `env` and the steps before the build:
/// boardpack as released for the runner, its archive checked against the
/// release's SHA-256 before anything in it runs; and the project cache of
/// earlier runs, so only months whose inputs changed are made again.
const SETUP: &str = r#"
      - uses: actions/checkout@v7
      - name: Install boardpack ${{ env.BOARDPACK_VERSION }}
        run: |
          case "$(uname -m)" in
            x86_64) target=x86_64-unknown-linux-gnu ;;
            aarch64 | arm64) target=aarch64-unknown-linux-gnu ;;
            *) echo "::error::no boardpack release for $(uname -m)"; exit 1 ;;
          esac
          name="boardpack-$target"
          cd "$RUNNER_TEMP"
          curl --fail --silent --show-error --location --retry 3 \
            --remote-name "$BOARDPACK_RELEASES/v$BOARDPACK_VERSION/$name.tar.xz" \
            --remote-name "$BOARDPACK_RELEASES/v$BOARDPACK_VERSION/$name.tar.xz.sha256"
          # Nothing from the archive runs unless it is the one released.
          sha256sum --check --strict "$name.tar.xz.sha256"
          tar -xJf "$name.tar.xz"
          echo "$RUNNER_TEMP/$name" >> "$GITHUB_PATH"
      # Months made by earlier runs, by the key of their inputs: a push renders
      # and typesets only the months whose inputs changed.
      - name: Restore the build cache
        uses: actions/cache@v5
        with:
          path: .boardpack/cache
          key: boardpack-cache-${{ env.BOARDPACK_VERSION }}-${{ github.sha }}
          restore-keys: boardpack-cache-${{ env.BOARDPACK_VERSION }}-
"#;

/// The build: `--publish` refuses a site that is neither encrypted (with its
/// key) nor declared public, before anything is written.
const BUILD: &str = r#"
      - name: Build the site
        env:
          # The site key, from the repository's secrets: never in the repository.
          BOARDPACK_KEY: ${{ secrets.BOARDPACK_KEY }}
        run: boardpack build --publish
"#;

/// The `env` every workflow starts with.
macro_rules! pinned {
    () => {
        r#"env:
  # The boardpack release this project builds with. Change it to upgrade.
  BOARDPACK_VERSION: "{VERSION}"
  BOARDPACK_RELEASES: {RELEASES}"#
    };
}

const PAGES: &str = concat!(
    r#"# Publishes the board report to GitHub Pages, encrypted, on every push to main.
#
# A GitHub Pages site is public on the internet on every plan but GitHub
# Enterprise Cloud, even from a private repository. So boardpack.toml says
# `encrypt = true`: every file of the site is encrypted with the site key, and
# only a reader with the key (the link `boardpack key new` prints) can open
# it. Keep this repository private: it holds the report in clear.
#
# Before the first push, in a checkout of this repository:
#   gh secret set BOARDPACK_KEY --body "$(boardpack key new)"
#                                       # a new site key, kept as the secret this workflow
#                                       # builds with; it prints the link to give the board
#   gh api -X POST "repos/{owner}/{repo}/pages" -f build_type=workflow
#                                       # turn on Pages, published by this workflow
# A run without the secret stops before publishing anything, and says so.
name: Publish board report
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: pages
  cancel-in-progress: false
"#,
    pinned!(),
    r#"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:{SETUP}{BUILD}
      - uses: actions/upload-pages-artifact@v5
        with:
          path: public
  deploy:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v5
"#
);

const CLOUDFLARE: &str = concat!(
    r#"# Publishes the board report to Cloudflare Pages, encrypted, behind Cloudflare
# Access, on every push to main.
#
# A Pages site ({NAME}.pages.dev) is public until an Access policy stands in
# front of it, and that policy lives in Cloudflare, not in this repository. So
# boardpack.toml also says `encrypt = true`: a reader needs a login Access lets
# through and the key link; the key keeps the report closed if the policy is
# missing, the login lets one reader in or out without a new key. Keep this
# repository private: it holds the report in clear.
#
# Before the first push, in a checkout of this repository:
#   gh secret set BOARDPACK_KEY --body "$(boardpack key new)"
#                                       # a new site key, kept as the secret this workflow
#                                       # builds with; it prints the link to give the board
#   npx wrangler pages project create {NAME} --production-branch main
#   gh secret set CLOUDFLARE_ACCOUNT_ID # the account that holds the Pages project
#   gh secret set CLOUDFLARE_API_TOKEN  # an API token allowed "Cloudflare Pages: Edit"
#
# The Access policy (Cloudflare Zero Trust; its Free plan covers 50 users):
#   Zero Trust → Access → Applications → Add an application → Self-hosted.
#   Public hostnames: {NAME}.pages.dev, and *.{NAME}.pages.dev for previews.
#   Policy: action Allow; include "Emails" listing each board member (or
#   "Emails ending in" your domain); login method: one-time PIN.
#   Check it: open https://{NAME}.pages.dev in a private window. Access must
#   ask for an email address before anything of the site loads.
name: Publish board report
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: cloudflare-pages
  cancel-in-progress: false
"#,
    pinned!(),
    r#"
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:{SETUP}{BUILD}
      - name: Deploy to Cloudflare Pages
        uses: cloudflare/wrangler-action@v4
        with:
          apiToken: ${{ secrets.CLOUDFLARE_API_TOKEN }}
          accountId: ${{ secrets.CLOUDFLARE_ACCOUNT_ID }}
          wranglerVersion: "4"
          command: pages deploy public --project-name={NAME} --branch=main
"#
);

const AZURE: &str = concat!(
    r#"# Publishes the board report to Azure Static Web Apps, encrypted, for readers
# signed in with the `board` role, on every push to main.
#
# staticwebapp.config.json, beside boardpack.toml and deployed with every run,
# lets only signed-in users with the `board` role read any file of the site;
# anyone else is sent to the Microsoft sign-in. The role is given by
# invitation (at most 25 readers per app, on the Free plan too). The site is
# also encrypted (`encrypt = true` in boardpack.toml): the key keeps the report
# closed if the roles are ever lifted, the role lets one reader in or out
# without a new key. Keep this repository private: it holds the report in clear.
#
# Before the first push, in a checkout of this repository (GROUP: your
# resource group; HOSTNAME: the app's default host name, shown by create):
#   gh secret set BOARDPACK_KEY --body "$(boardpack key new)"
#                                       # a new site key, kept as the secret this workflow
#                                       # builds with; it prints the link to give the board
#   az staticwebapp create --name {NAME} --resource-group GROUP --sku Free
#   az staticwebapp secrets list --name {NAME} --query properties.apiKey -o tsv \
#     | gh secret set AZURE_STATIC_WEB_APPS_API_TOKEN
# Then invite each reader (an invitation link lasts at most 7 days):
#   az staticwebapp users invite --name {NAME} --authentication-provider AAD \
#     --user-details EMAIL --roles board --domain HOSTNAME \
#     --invitation-expiration-in-hours 168
name: Publish board report
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: static-web-app
  cancel-in-progress: false
"#,
    pinned!(),
    r#"
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:{SETUP}{BUILD}
      - name: Deploy to Azure Static Web Apps
        uses: Azure/static-web-apps-deploy@v1
        with:
          azure_static_web_apps_api_token: ${{ secrets.AZURE_STATIC_WEB_APPS_API_TOKEN }}
          action: upload
          app_location: public
          skip_app_build: true
          skip_api_build: true
          config_file_location: /
"#
);

/// Every route for the `board` role only; a visitor not signed in is sent to
/// the Microsoft sign-in and back to the page asked for. Checked in CI against
/// the schema Microsoft publishes for this file.
const SWA_CONFIG: &str = r#"{
  "routes": [
    {
      "route": "/*",
      "allowedRoles": ["board"]
    }
  ],
  "responseOverrides": {
    "401": {
      "statusCode": 302,
      "redirect": "/.auth/login/aad?post_login_redirect_uri=.referrer"
    }
  }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_round_trip() {
        for name in Host::NAMES {
            assert_eq!(name.parse::<Host>().unwrap().name(), name);
        }
        assert_eq!(Host::default(), Host::GithubPages);
        assert!("netlify".parse::<Host>().unwrap_err().contains("github-pages, cloudflare, azure, folder"));
    }

    #[test]
    fn site_names_are_what_hosts_accept() {
        assert_eq!(site_name("Acme Corp_board report"), "acme-corp-board-report");
        assert_eq!(site_name("--Ünïcode--"), "n-code");
        assert_eq!(site_name("---"), "board-report");
        assert_eq!(site_name(&"a".repeat(70)).len(), 58);
    }

    #[test]
    fn releases_come_from_the_crates_own_repository() {
        assert!(RELEASES.starts_with("https://github.com/") && RELEASES.ends_with("/releases/download"), "{RELEASES}");
    }

    #[test]
    fn every_workflow_builds_with_the_key_and_publish_and_nothing_is_left_unfilled() {
        for host in [Host::GithubPages, Host::Cloudflare, Host::Azure] {
            let files = host.files("acme");
            let (path, workflow) = &files[0];
            assert_eq!(path, WORKFLOW_FILE);
            assert!(workflow.contains("BOARDPACK_KEY: ${{ secrets.BOARDPACK_KEY }}"), "{workflow}");
            assert!(workflow.contains("run: boardpack build --publish"), "{workflow}");
            assert!(workflow.contains("sha256sum --check --strict"), "{workflow}");
            assert!(!workflow.contains("cargo install"), "a push compiles nothing: {workflow}");
            for marker in ["{SETUP}", "{BUILD}", "{VERSION}", "{RELEASES}", "{NAME}"] {
                assert!(!workflow.contains(marker), "{marker} left in the {} workflow", host.name());
            }
        }
        assert!(Host::Folder.files("acme").is_empty());
    }

    #[test]
    fn the_swa_config_requires_the_board_role_on_every_route() {
        let config: serde_json::Value = serde_json::from_str(SWA_CONFIG).unwrap();
        let routes = config["routes"].as_array().unwrap();
        assert_eq!(routes.len(), 1, "one rule, for every route");
        assert_eq!(routes[0]["route"], "/*");
        assert_eq!(routes[0]["allowedRoles"], serde_json::json!(["board"]));
    }
}
