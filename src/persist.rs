//! State that survives: the raw config in the URL fragment (a share link that never
//! reaches a server) and in localStorage (a reload loses nothing).

use keyless_core::RawConfig;
use leptos::prelude::*;

use crate::browser;
use crate::state::FormState;

/// localStorage key of the raw config.
pub const STORAGE_KEY: &str = "keyless.config.v1";

/// The fields of `raw` that differ from a new form's, as compact JSON.
pub fn encode(raw: &RawConfig) -> String {
    raw.draft_json(&FormState::initial_raw())
}

/// A new form's values overlaid with the fields in `text` (from [`encode`]).
pub fn decode(text: &str) -> Option<RawConfig> {
    FormState::initial_raw().with_draft_json(text)
}

/// Where the page starts: the share link's config, else the saved one, else a new form.
pub fn initial_raw() -> RawConfig {
    let fragment = browser::fragment();
    if !fragment.is_empty() {
        if let Some(raw) = decode(&fragment) {
            return raw;
        }
    }
    browser::load(STORAGE_KEY)
        .and_then(|saved| decode(&saved))
        .unwrap_or_else(FormState::initial_raw)
}

/// Keeps the URL fragment and localStorage in step with the raw config.
pub fn handle_persistence(state: FormState) {
    Effect::new(move |_| {
        let encoded = state.raw.with(encode);
        browser::save(STORAGE_KEY, &encoded);
        browser::set_fragment(&encoded);
    });
}
