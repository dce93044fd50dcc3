//! Small hand-made exports for October 2026 (UTC), shared by the methods'
//! tests, with every answer worked out by hand in the comments beside them.

use std::path::Path;

use super::{Computed, Data, Export, Outcome, Period};
use crate::base::period::Month;
use crate::compute::measure::history::Brought;
use crate::load::config::{InputConfig, People};
use crate::load::exports::time::Zone;
use crate::load::exports::{self as input, Input, Reading};

pub(crate) const DEPLOYMENTS: &str = "\
id,deployed_at,service,environment,status,first_commit_at,kind,incident,fixes
d0,2026-09-29T10:00:00Z,api,production,success,2026-09-28T10:00:00Z,planned,,
d1,2026-10-01T12:00:00Z,api,production,success,2026-09-30T12:00:00Z,planned,,
d2,2026-10-03T00:00:00Z,api,staging,success,2026-10-01T00:00:00Z,planned,,
d3,2026-10-05T06:00:00Z,web,production,success,2026-10-01T06:00:00Z,planned,INC-1,
d4,2026-10-06T06:00:00Z,web,production,success,2026-10-05T18:00:00Z,rollback,,
d5,2026-10-10T00:00:00Z,api,production,failed,2026-10-09T00:00:00Z,planned,,
d6,2026-10-12T00:00:00Z,api,production,success,2026-10-10T00:00:00Z,fix,,d1
d7,2026-10-31T23:00:00Z,web,production,success,2026-10-29T23:00:00Z,planned,,
d8,2026-11-01T01:00:00Z,web,production,success,2026-10-31T01:00:00Z,rollback,,
";

pub(crate) const INCIDENTS: &str = "\
id,detected_at,restored_at,service,severity,caused_by
INC-0,2026-09-30T22:00:00Z,2026-10-01T02:00:00Z,api,P2,
INC-1,2026-10-05T07:00:00Z,2026-10-05T08:30:00Z,web,P1,d3
INC-2,2026-10-20T10:00:00Z,2026-10-20T10:30:00Z,api,P3,
INC-3,2026-10-31T20:00:00Z,,web,P2,
INC-4,2026-10-31T23:00:00Z,2026-11-01T03:00:00Z,web,P2,d7
";

pub(crate) const WORK_ITEMS: &str = "\
id,type,created_at,started_at,finished_at,sprint,sprint_end,delivered,quarter,due,outcome,effort,found_in
W-1,story,2026-09-20,2026-10-01,2026-10-04,S20,2026-10-09,,2026-Q4,2026-10-15,Checkout,5,
W-2,bug,2026-10-02,2026-10-02,2026-10-03,S20,2026-10-09,,,,none,1,production
W-3,story,2026-09-25,2026-10-05,2026-10-12,S20,2026-10-09,,2026-Q4,2026-10-31,Checkout,3,
W-4,story,2026-10-01,2026-10-06,,S20,2026-10-09,,2026-Q4,2026-10-20,Billing,8,
W-5,bug,2026-10-08,2026-10-08,2026-10-10,S21,2026-10-23,yes,,,,2,staging
W-6,story,2026-10-08,2026-10-12,2026-10-20,S21,2026-10-23,no,2026-Q4,,Growth,3,
W-7,bug,2026-10-15,,2026-10-16,,,,,,,1,production
W-8,story,2026-08-01,2026-08-02,2026-09-15,S18,2026-09-11,,2026-Q3,,Growth,2,
W-9,bug,2026-10-20,2026-10-21,,,,,,,,,
W-10,story,2026-09-01,2026-09-02,2026-09-10,,,,,,Billing,2,
W-10,story,2026-09-01,2026-10-01,2026-10-07,,,,,,Billing,2,
W-11,story,2026-10-09,2026-10-13,2026-10-22,S21,2026-10-23,,,,Growth,2,
";

fn raw(input: Input, text: &str) -> input::Raw {
    let config = InputConfig::default();
    let zone = Zone::utc();
    let production = vec!["production".to_string()];
    let reading = Reading { input, config: &config, zone: &zone, production: &production, config_source: "" };
    let mut problems = Vec::new();
    let raw = input::from_text(&reading, None, text.to_string(), Path::new("x.csv"), &mut problems).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    raw
}

pub(crate) fn data(deployments: &str, incidents: &str, work_items: &str) -> Data {
    let mut problems = Vec::new();
    let d = input::deployments(raw(Input::Deployments, deployments), &mut problems);
    let i = input::incidents(raw(Input::Incidents, incidents), &mut problems);
    let w = input::work_items(raw(Input::WorkItems, work_items), &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    Data {
        deployments: Export::Read(d),
        incidents: Export::Read(i),
        work_items: Export::Read(w),
        repositories: Vec::new(),
        brought: Brought::default(),
        people: People::Names,
    }
}

pub(crate) fn october() -> Period {
    Period::new(Month::new(2026, 10).unwrap(), Zone::utc())
}

pub(crate) fn ok(o: Outcome) -> Computed {
    o.unwrap_or_else(|e| panic!("not computed: {e}"))
}
