//! One export that calls everything the Keyless page computes, so none of it is
//! optimised away: `keyless.json` text in, every generated text and figure out.

use keyless_core::cost::{
    cheapest_regions, compare_architectures, compare_spot, default_spot_discount_percent, estimate,
    CostInputs, CHEAPEST_REGION_COUNT,
};
use keyless_core::RawConfig;
use wasm_bindgen::prelude::*;

/// The bundle, findings, cost figures and zip size for a `keyless.json` text (or
/// the errors), plus the share-link form of the config.
#[wasm_bindgen]
pub fn generate_all(keyless_json: &str) -> String {
    let (raw, read_errors) = RawConfig::from_json(keyless_json);
    let draft = raw.draft_json(&RawConfig::default());
    let raw = RawConfig::default().with_draft_json(&draft).unwrap_or(raw);
    let mut out = format!("{read_errors}\n{draft}\n");
    let config = match raw.validate() {
        Ok(config) => config,
        Err(errors) => return out + &errors.to_string(),
    };
    let bundle = keyless_core::generate(&config);
    for file in &bundle.files {
        out.push_str(&file.text);
    }
    for finding in &bundle.findings {
        out.push_str(&format!("{}: {}\n", finding.title, finding.detail));
    }
    out.push_str(&format!("zip: {} bytes\n", bundle.zip().len()));
    let inputs = CostInputs::from(&config);
    if let Ok(bill) = estimate(&inputs) {
        out.push_str(&bill.total_monthly.usd());
    }
    if let Ok(c) = compare_architectures(&inputs) {
        out.push_str(&c.arm_saving_monthly().usd());
    }
    if let Ok(s) = compare_spot(&inputs, default_spot_discount_percent()) {
        out.push_str(&s.spot_saving_monthly().usd());
    }
    for region in cheapest_regions(&inputs, CHEAPEST_REGION_COUNT).unwrap_or_default() {
        out.push_str(&format!("{} {}\n", region.code, region.total_monthly.usd()));
    }
    out
}
