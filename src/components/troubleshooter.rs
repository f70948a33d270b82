//! The troubleshooter: paste an error, and the entries of
//! `keyless_core::troubleshoot` that match it come first, each with the likely
//! cause for this config and the fix with its names filled in. With nothing
//! pasted, every entry that applies to the config, in the order a deploy meets
//! them. The same search as `keyless troubleshoot` ([`troubleshoot::search`]).

use keyless_core::troubleshoot::{self, Match};
use leptos::prelude::*;

use crate::state::FormState;

/// The panel.
#[component]
pub fn Troubleshooter(
    /// The store whose last valid config names the fixes.
    state: FormState,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let found = Memo::new(move |_| {
        state.shown.with(|g| {
            g.as_ref()
                .map(|g| query.with(|q| troubleshoot::search(&g.config, q)))
        })
    });
    let summary = move || {
        let searching = query.with(|q| !q.trim().is_empty());
        found.with(|f| match (f, searching) {
            (None, _) => "The entries appear once the form is valid.".to_string(),
            (Some(f), false) => format!("{} problems this setup can meet, in the order a deploy meets them.", f.len()),
            (Some(f), true) if f.is_empty() => "Nothing matches. Paste the error's first line, or try a word such as health, image or role.".to_string(),
            (Some(f), true) => format!("{} matching, best first.", f.len()),
        })
    };
    view! {
        <section class="troubleshoot" aria-labelledby="troubleshoot-title">
            <h2 id="troubleshoot-title">"Troubleshoot"</h2>
            <div class="field">
                <label for="troubleshoot-query">"Paste an error message, or search"</label>
                <textarea id="troubleshoot-query" rows="2" spellcheck="false"
                    placeholder="Not authorized to perform sts:AssumeRoleWithWebIdentity"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))></textarea>
            </div>
            <p class="hint" role="status" aria-live="polite" data-troubleshoot="summary">{summary}</p>
            <ul class="entries">
                {move || found.get().unwrap_or_default().into_iter().enumerate().map(|(rank, found)| {
                    view! { <EntryView found open=rank == 0 && query.with_untracked(|q| !q.trim().is_empty()) /> }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// One entry: its title, why it was found, the cause and the steps of the fix.
#[component]
fn EntryView(found: Match, open: bool) -> impl IntoView {
    let entry = found.entry;
    let matched = (!found.matched.is_empty()).then(|| {
        view! {
            <p class="matched">"Matches "
                {found.matched.iter().map(|m| view! { <code>{*m}</code>" " }).collect_view()}
            </p>
        }
    });
    view! {
        <li data-entry=entry.id>
            <details open=open>
                <summary>{entry.title}</summary>
                {matched}
                {(!entry.applies).then_some(view! { <p class="stale">"Not expected with this setup as configured:"</p> })}
                <p class="cause">{entry.cause}</p>
                <ol class="fix">
                    {entry.fix.into_iter().map(|step| view! {
                        <li>
                            <p>{step.text}</p>
                            {step.code.map(|code| view! { <pre tabindex="0">{code}</pre> })}
                        </li>
                    }).collect_view()}
                </ol>
            </details>
        </li>
    }
}
