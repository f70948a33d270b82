//! Embeds only what the cost model reads from `data/aws-prices.json`: the full file
//! carries notes, conflicts and Spot snapshots (55 KB) that would otherwise ship in
//! the web page's wasm. Writes `$OUT_DIR/aws-prices.min.json`, compact.

use std::path::Path;

use serde_json::{json, Map, Value};

fn pick(from: &Value, keys: &[&str]) -> Value {
    let mut out = Map::new();
    for key in keys {
        if let Some(value) = from.get(*key) {
            out.insert((*key).to_string(), value.clone());
        }
    }
    Value::Object(out)
}

/// The first http(s) link in a source's `url` or `upstream`.
fn first_link(source: &Value) -> Option<String> {
    ["url", "upstream"]
        .iter()
        .filter_map(|k| source.get(*k).and_then(Value::as_str))
        .flat_map(str::split_whitespace)
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches([',', ';', ')']).to_string())
}

fn main() {
    let source = Path::new("data/aws-prices.json");
    println!("cargo::rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(source).expect("data/aws-prices.json is readable");
    let full: Value = serde_json::from_str(&text).expect("data/aws-prices.json is JSON");

    let regions: Map<String, Value> = full["regions"]
        .as_object()
        .expect("regions is an object")
        .iter()
        .map(|(code, r)| {
            let mut region = pick(
                r,
                &[
                    "location",
                    "x86",
                    "arm",
                    "ephemeral_storage_gb_hour",
                    "public_ipv4",
                    "cloudwatch_logs",
                    "ecr_storage_gb_month",
                ],
            );
            let object = region.as_object_mut().expect("object");
            for (key, fields) in [
                ("x86", &["vcpu_hour", "gb_hour", "src"][..]),
                ("arm", &["vcpu_hour", "gb_hour", "src"]),
                ("ephemeral_storage_gb_hour", &["price", "src"]),
                ("public_ipv4", &["in_use_hour", "src"]),
                (
                    "cloudwatch_logs",
                    &["ingest_standard_gb", "storage_gb_month", "src"],
                ),
                ("ecr_storage_gb_month", &["price", "src"]),
            ] {
                if let Some(value) = object.get(key).cloned() {
                    object.insert(key.to_string(), pick(&value, fields));
                }
            }
            (code.clone(), region)
        })
        .collect();
    let sources: Vec<Value> = full["sources"]
        .as_array()
        .expect("sources is a list")
        .iter()
        .map(|s| {
            let mut source = pick(s, &["id", "what"]);
            if let Some(link) = first_link(s) {
                source["url"] = Value::String(link);
            }
            source
        })
        .collect();
    let global = &full["global"];
    let subset = json!({
        "currency": full["currency"],
        "as_of": full["as_of"],
        "hours_per_month": full["hours_per_month"],
        "global": {
            "fargate_spot": pick(&global["fargate_spot"], &["max_discount_vs_on_demand", "wording", "src"]),
            "ephemeral_storage": pick(&global["ephemeral_storage"], &["included_gb", "max_gb", "src"]),
        },
        "regions": regions,
        "sources": sources,
    });
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("aws-prices.min.json");
    std::fs::write(out, subset.to_string()).expect("OUT_DIR is writable");
}
