//! Writes a synthetic portfolio for benchmarks and examples:
//!
//!     cargo run --release --example synth -- OUT_DIR COMPANIES MONTHS
//!
//! Every company has the built-in ten KPIs with plausible, noisy values ending
//! October 2026, ~300 words of commentary per accountability and occasional
//! notes. Company shapes repeat every four: a full history; a missing month; a
//! custom catalogue (a KPI swapped for another); a company that joined late.
//! Output is deterministic: the same arguments write the same files.

mod support;

use support::Rng;

use std::fmt::Write as _;
use std::path::Path;

use support::write;

const NAMES: [&str; 8] = ["Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"];
const TRADES: [&str; 5] = ["Logistics", "Retail", "Payments", "Health", "Media"];
const ACCOUNTABILITIES: [&str; 5] =
    ["software-delivery", "team-performance", "operational-reliability", "technical-quality", "roadmap-alignment"];
/// (id, typical value, lower is better, decimals)
const KPIS: [(&str, f64, bool, u8); 10] = [
    ("lead-time", 3.0, true, 1),
    ("delivery-predictability", 76.0, false, 0),
    ("cycle-time", 4.0, true, 1),
    ("key-person-concentration", 30.0, true, 0),
    ("change-failure-rate", 9.0, true, 1),
    ("time-to-restore", 6.0, true, 1),
    ("defect-escape-rate", 14.0, true, 0),
    ("rework-ratio", 12.0, true, 0),
    ("business-outcome-share", 68.0, false, 0),
    ("roadmap-accuracy", 70.0, false, 0),
];
const WORDS: &str = "the team shipped release routing billing platform migration incident review customers deployment \
pipeline latency reliability roadmap quarter hiring engineers backlog quality tests coverage rollback canary on-call \
alert dashboard capacity budget priority outcome revenue retention contract partner delivery forecast risk mitigation \
decision board plan improvement trend target month progress";

fn month_back(end: (i32, i32), back: i32) -> String {
    let index = end.0 * 12 + (end.1 - 1) - back;
    format!("{:04}-{:02}", index / 12, index % 12 + 1)
}

fn prose(rng: &mut Rng, words: usize) -> String {
    let vocab: Vec<&str> = WORDS.split_whitespace().collect();
    let mut out = String::new();
    for i in 0..words {
        let w = vocab[(rng.next() * vocab.len() as f64) as usize % vocab.len()];
        out.push_str(w);
        out.push(if i % 60 == 59 { '\n' } else { ' ' });
        if i % 60 == 59 {
            out.push('\n');
        } else if i % 14 == 13 {
            out.pop();
            out.push_str(". ");
        }
    }
    out.push_str(".\n");
    out
}

fn main() {
    let args = support::args("synth", &["OUT_DIR", "COMPANIES", "MONTHS"]);
    let out = Path::new(&args[0]);
    let companies: usize = args[1].parse().expect("COMPANIES is a number");
    let months: i32 = args[2].parse().expect("MONTHS is a number");
    write(&out.join("portfolio.toml"), "title = \"Portfolio engineering review\"\nowner = \"Harbour Lane Partners\"\n");
    for c in 0..companies {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (c as u64 + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9));
        let name = format!(
            "{} {}{}",
            NAMES[c % NAMES.len()],
            TRADES[c / NAMES.len() % TRADES.len()],
            if c >= 40 { format!(" {}", c / 40 + 1) } else { String::new() }
        );
        let slug = name.to_lowercase().replace(' ', "-");
        let dir = out.join("companies").join(&slug);
        write(
            &dir.join("boardpack.toml"),
            &format!("title = \"Engineering report to the board\"\norganisation = \"{name}\"\n"),
        );
        let shape = c % 4;
        let (custom, skip, first) = (shape == 2, shape == 1, if shape == 3 { months / 3 } else { 0 });
        if custom {
            let catalogue =
                boardpack::BUILTIN_CATALOGUE.replace("id = \"roadmap-accuracy\"", "id = \"release-accuracy\"");
            write(&dir.join("content/catalogue.toml"), &catalogue);
        }
        let quality = 0.7 + rng.next() * 0.9;
        for m in first..months {
            let back = months - 1 - m;
            let month = month_back((2026, 10), back);
            if skip && m == months - 3 {
                continue;
            }
            let mut values = String::new();
            let mut tables = String::new();
            for (id, typical, lower, decimals) in KPIS {
                let id = if custom && id == "roadmap-accuracy" { "release-accuracy" } else { id };
                let drift = 1.0 + 0.15 * ((m as f64) / 5.0 + c as f64).sin();
                let noise = 1.0 + (rng.next() - 0.5) * 0.2;
                let mut v = if lower { typical * quality * drift * noise } else { typical / quality * noise };
                if !lower || id.ends_with("concentration") || id.ends_with("rate") || id.ends_with("ratio") {
                    v = v.clamp(0.0, 100.0);
                }
                let v = format!("{:.*}", usize::from(decimals), v);
                if rng.next() < 0.01 {
                    let _ = write!(tables, "\n[{id}]\nvalue = {v}\nnote = \"Noted event in {month}\"\n");
                } else {
                    let _ = writeln!(values, "{id} = {v}");
                }
            }
            let month_dir = dir.join("content").join(&month);
            write(&month_dir.join("kpis.toml"), &format!("{values}{tables}"));
            write(&month_dir.join("summary.md"), &prose(&mut rng, 150));
            for acc in ACCOUNTABILITIES {
                write(&month_dir.join(format!("{acc}.md")), &prose(&mut rng, 300));
            }
        }
    }
    eprintln!("wrote {companies} companies × {months} months into {}", out.display());
}
