//! The one store of raw inputs; everything shown is derived from it.

use keyless_core::{Bundle, ConfigErrors, RawConfig};
use leptos::prelude::*;

/// The form's state: the raw inputs as typed, and which fields the user has touched
/// (errors show only for touched fields, so an empty form is not a wall of red).
#[derive(Clone, Copy)]
pub struct FormState {
    /// Raw inputs, exactly as typed.
    pub raw: RwSignal<RawConfig>,
    /// Keys of the fields the user has edited.
    pub touched: RwSignal<Vec<&'static str>>,
    /// The validated config turned into the bundle, or every problem.
    pub bundle: Memo<Result<Bundle, ConfigErrors>>,
}

impl FormState {
    /// A store starting from `initial`, with its derived bundle.
    pub fn new(initial: RawConfig) -> Self {
        let raw = RwSignal::new(initial);
        let bundle = Memo::new(move |_| {
            raw.with(|r| r.validate())
                .map(|config| keyless_core::generate(&config))
        });
        FormState {
            raw,
            touched: RwSignal::new(Vec::new()),
            bundle,
        }
    }

    /// The starting values of a new form.
    pub fn initial_raw() -> RawConfig {
        RawConfig {
            region: "us-east-1".into(),
            branch: "main".into(),
            ..RawConfig::default()
        }
    }
}
