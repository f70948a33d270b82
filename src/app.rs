//! The page: the form on one side, the generated files on the other.

use keyless_core::bundle::TRUST_POLICY_PATH;
use keyless_core::Field;
use leptos::prelude::*;

use crate::components::artifact::ArtifactView;
use crate::components::field::{RegionField, TextField};
use crate::state::FormState;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = FormState::new(FormState::initial_raw());
    let trust_policy = Signal::derive(move || {
        state.bundle.with(|b| match b {
            Ok(bundle) => bundle
                .file(TRUST_POLICY_PATH)
                .unwrap_or_default()
                .to_string(),
            Err(_) => String::new(),
        })
    });
    let valid = move || state.bundle.with(Result::is_ok);
    view! {
        <header class="site">
            <h1>"Keyless"</h1>
            <p>"Zero-secret deploys from GitHub Actions to AWS ECS Fargate. Nothing you type leaves this page."</p>
        </header>
        <main class="layout">
            <form class="form" on:submit=|ev| ev.prevent_default() novalidate=true>
                <TextField state field=Field::AccountId label="AWS account id" placeholder="123456789012"
                    hint="12 digits, top right of the AWS console" />
                <RegionField state />
                <TextField state field=Field::GithubOwner label="GitHub owner" placeholder="octo-org" />
                <TextField state field=Field::GithubRepo label="GitHub repository" placeholder="octo-app"
                    hint="The name, owner/name, or the repository's URL" />
                <TextField state field=Field::Branch label="Branch" placeholder="main"
                    hint="Pushes to this branch deploy" />
            </form>
            <div class="preview">
                <Show
                    when=valid
                    fallback=|| view! { <p class="empty">"Fill in the fields to see the trust policy."</p> }
                >
                    <ArtifactView path=TRUST_POLICY_PATH text=trust_policy />
                </Show>
            </div>
        </main>
    }
}
