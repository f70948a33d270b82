//! The Review step: what the files will do, as a checklist of findings.

use leptos::prelude::*;

use crate::state::FormState;

/// The findings of the current bundle, warnings first.
#[component]
pub fn Review(
    /// The store whose bundle is reviewed.
    state: FormState,
) -> impl IntoView {
    view! {
        <p>"What your files do, and what to check before you run them:"</p>
        <Show when=move || state.result.with(Result::is_ok)
            fallback=|| view! { <p class="stale">"Fix the problems above to review your files."</p> }>
            <p>"Review placeholder"</p>
        </Show>
    }
}
