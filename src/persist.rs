//! State that survives: the raw config in the URL fragment (a share link that never
//! reaches a server) and in localStorage (a reload loses nothing, not even the step).

use keyless_core::RawConfig;
use leptos::prelude::*;

use crate::browser;
use crate::state::{FormState, Touched};
use crate::steps::Step;

/// localStorage key of the raw config.
pub const STORAGE_KEY: &str = "keyless.config.v1";
/// localStorage key of the step on screen.
pub const STEP_KEY: &str = "keyless.step.v1";

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

/// The step the page was on before a reload (the first one otherwise).
pub fn initial_step() -> Step {
    browser::load(STEP_KEY)
        .and_then(|id| Step::from_id(&id))
        .unwrap_or(Step::GitHub)
}

/// The share link of what is on screen: this page with the raw config in the
/// fragment (built from the state, never copied from the address bar).
pub fn share_link(state: FormState) -> String {
    browser::url_with_fragment(&state.raw.with_untracked(encode))
}

/// Keeps the URL fragment and localStorage in step with the raw config and the
/// step, and follows the fragment when the user pastes another share link into
/// this tab (`hashchange`): the form then shows the linked config and says so.
pub fn handle_persistence(state: FormState) {
    Effect::new(move |_| {
        let encoded = state.raw.with(encode);
        browser::save(STORAGE_KEY, &encoded);
        browser::set_fragment(&encoded);
    });
    Effect::new(move |_| browser::save(STEP_KEY, state.step.get().id()));
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        let fragment = browser::fragment();
        if fragment.is_empty() || fragment == state.raw.with_untracked(encode) {
            return;
        }
        match decode(&fragment) {
            Some(raw) => {
                state.raw.set(raw);
                state.touched.set(Touched::ALL);
                state
                    .notice
                    .set("Loaded the configuration from the link.".into());
            }
            None => state
                .notice
                .set("The link's configuration could not be read; the form is unchanged.".into()),
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(listener);
}
