//! `GET /services/data` (versions), `GET /services/data/vXX.X` (resources)
//! and `GET …/limits`.

use serde_json::{Map, Value, json};

use super::Call;
use super::reply::Reply;

/// The oldest API version served: 31.0 (Summer '14); 30.0 and older are
/// retired. The newest is the org's `max_api_version` (68.0, Winter '27).
pub(crate) const FIRST_VERSION: u32 = 31;
/// The org's daily API request allowance.
pub(crate) const API_LIMIT: u64 = 15_000;

/// `v62.0` → `62.0`, for a version the mock serves (up to `latest`).
pub(crate) fn version(segment: &str, latest: u32) -> Option<String> {
    let number = segment.strip_prefix('v')?.strip_suffix(".0")?;
    let number: u32 = number.parse().ok()?;
    (FIRST_VERSION..=latest)
        .contains(&number)
        .then(|| format!("{number}.0"))
}

/// Every version up to `latest`, oldest first.
pub(crate) fn versions(latest: u32) -> Value {
    let list: Vec<Value> = (FIRST_VERSION..=latest)
        .map(|number| {
            json!({
                "label": release_name(number),
                "url": format!("/services/data/v{number}.0"),
                "version": format!("{number}.0"),
            })
        })
        .collect();
    Value::Array(list)
}

/// `31` → `Summer '14`: three releases a year, Winter named for the next year.
fn release_name(version: u32) -> String {
    // v20.0 was Winter '11; each release adds one.
    let index = version.saturating_sub(20);
    let season = ["Winter", "Spring", "Summer"][(index % 3) as usize];
    format!("{season} '{:02}", 11 + index / 3)
}

const RESOURCES: [&str; 37] = [
    "tooling",
    "metadata",
    "folders",
    "eclair",
    "prechatForms",
    "chatter",
    "tabs",
    "appMenu",
    "quickActions",
    "queryAll",
    "commerce",
    "wave",
    "iot",
    "analytics",
    "search",
    "identity",
    "composite",
    "parameterizedSearch",
    "fingerprint",
    "theme",
    "nouns",
    "event",
    "serviceTemplates",
    "recent",
    "connect",
    "licensing",
    "limits",
    "process",
    "async-queries",
    "query",
    "match",
    "emailConnect",
    "compactLayouts",
    "knowledgeManagement",
    "sobjects",
    "actions",
    "support",
];

/// Resource name → path; `identity` is absolute.
pub(crate) fn resources(call: &Call<'_>) -> Reply {
    let mut map = Map::new();
    for name in RESOURCES {
        let value = if name == "identity" {
            call.state
                .identity_url(&call.request.base_url, &call.grant.user_id)
        } else {
            format!("/services/data/v{}/{name}", call.version)
        };
        map.insert(name.to_string(), Value::from(value));
    }
    Ok(call.json(&Value::Object(map)))
}

/// `{Name: {Max, Remaining}}`; `DailyApiRequests` counts this org's calls.
pub(crate) fn limits(call: &Call<'_>) -> crate::mock::response::MockResponse {
    let used = call.calls;
    let mut map = Map::new();
    for (name, max) in [
        ("ActiveScratchOrgs", 3),
        ("AnalyticsExternalDataSizeMB", 40_960),
        ("ConcurrentAsyncGetReportInstances", 200),
        ("ConcurrentSyncReportRuns", 20),
        ("DailyApiRequests", API_LIMIT),
        ("DailyAsyncApexExecutions", 250_000),
        ("DailyBulkApiBatches", 15_000),
        ("DailyBulkV2QueryFileStorageMB", 976_562),
        ("DailyBulkV2QueryJobs", 10_000),
        ("DailyGenericStreamingApiEvents", 10_000),
        ("DailyScratchOrgs", 6),
        ("DailyStreamingApiEvents", 10_000),
        ("DailyWorkflowEmails", 390),
        ("DataStorageMB", 5),
        ("FileStorageMB", 20),
        ("HourlyAsyncReportRuns", 1_200),
        ("HourlyDashboardRefreshes", 200),
        ("HourlyODataCallout", 10_000),
        ("HourlySyncReportRuns", 500),
        ("HourlyTimeBasedWorkflow", 50),
        ("MassEmail", 10),
        ("SingleEmail", 15),
        ("StreamingApiConcurrentClients", 20),
    ] {
        let remaining = if name == "DailyApiRequests" {
            max.saturating_sub(used)
        } else {
            max
        };
        map.insert(name.into(), json!({ "Max": max, "Remaining": remaining }));
    }
    call.json(&Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::{release_name, version};

    #[test]
    fn versions_and_release_names() {
        assert_eq!(release_name(31), "Summer '14");
        assert_eq!(release_name(62), "Winter '25");
        assert_eq!(release_name(66), "Spring '26");
        assert_eq!(release_name(68), "Winter '27");
        assert_eq!(version("v62.0", 68).as_deref(), Some("62.0"));
        assert_eq!(version("v68.0", 68).as_deref(), Some("68.0"));
        assert_eq!(version("v31.0", 68).as_deref(), Some("31.0"));
        for bad in ["v69.0", "v30.0", "62.0", "v62", "v62.1", "vx.0"] {
            assert_eq!(version(bad, 68), None, "{bad}");
        }
        assert_eq!(version("v63.0", 62), None);
    }
}
