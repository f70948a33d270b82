//! The Review step: what the files will do, as a checklist of findings, and the
//! order in which to use them.

use keyless_core::Severity;
use leptos::prelude::*;

use crate::state::FormState;

/// The findings of the current bundle (warnings first) and the next steps.
#[component]
pub fn Review(
    /// The store whose bundle is reviewed.
    state: FormState,
) -> impl IntoView {
    let findings = move || {
        state.result.with(|r| {
            r.as_ref()
                .map(|g| g.bundle.findings.clone())
                .unwrap_or_default()
        })
    };
    // A memo, so the findings are built again only when the form turns valid or invalid.
    let valid = Memo::new(move |_| state.result.with(Result::is_ok));
    view! {
        {move || if !valid.get() {
            view! { <p class="stale">"Fix the problems listed above to review your files."</p> }.into_any()
        } else { view! {
            <h3>"What your files do"</h3>
            <ul class="findings">
                {move || findings().into_iter().map(|finding| {
                    // A mark and a word per severity: a note is neither a risk nor checked.
                    let (class, mark, word) = match finding.severity {
                        Severity::Warning => ("warning", "!", "Warning: "),
                        Severity::Note => ("note", "i", "Note: "),
                        Severity::Info => ("info", "✓", "Checked: "),
                    };
                    view! {
                        <li class=class>
                            <span class="marker" aria-hidden="true">{mark}</span>
                            <span class="visually-hidden">{word}</span>
                            <strong>{finding.title}</strong>
                            <p>{finding.detail}</p>
                        </li>
                    }.into_any()
                }).collect_view().into_any()}
            </ul>
            <h3>"Next"</h3>
            <ol class="next-steps">
                <li>"Download all files and add them to your repository, paths as shown."</li>
                <li>"With AWS credentials for the account (an admin, once): " <code>"bash infra/setup.sh"</code></li>
                <li>"Commit and push to the branch: the workflow builds, pushes and deploys."</li>
            </ol>
            <h3>"Script or stack"</h3>
            <p data-testid="script-or-stack">
                "Run " <code>"infra/setup.sh"</code> " when one person sets the account up from a shell: it adopts nothing without asking and can be rerun to repair drift. "
                "Create " <code>"infra/cloudformation.yaml"</code> " as a stack when your team reviews changes and works in the console: upload it under CloudFormation › Create stack, or run "
                <code>"aws cloudformation deploy --template-file infra/cloudformation.yaml --capabilities CAPABILITY_NAMED_IAM"</code>
                " with its parameters (see the file's header); deleting the stack removes it all but the OIDC provider and the image repository."
            </p>
        }.into_any() }}
    }
}
