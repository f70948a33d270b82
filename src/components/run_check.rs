//! "Test a run": would this workflow run get AWS credentials from the role's
//! trust policy, and if not, why? The run's fields start from the config and
//! follow it until edited; the policy is the generated one unless one is pasted.
//! The decision is `keyless_core::trust_check`'s, the same as `keyless check-run`.

use keyless_core::trust_check::{
    self, capitalise as sentence, Event, Repository, Run, SubjectForm, EVENT_NAMES,
};
use keyless_core::ValidConfig;
use leptos::prelude::*;

use crate::state::FormState;

/// What the user changed; `None` follows the config.
#[derive(Clone, Default, PartialEq)]
struct Edits {
    event: Option<String>,
    from_fork: bool,
    git_ref: Option<String>,
    environment: Option<String>,
    repository: Option<String>,
    subject_form: Option<String>,
    policy: String,
}

/// The example tag a release run starts on (a release always runs on its tag).
const RELEASE_TAG: &str = "refs/tags/v1.0.0";

impl Edits {
    fn event(&self) -> &str {
        self.event.as_deref().unwrap_or("push")
    }

    /// The text each field shows: the edit, or the config's value.
    fn git_ref(&self, config: &ValidConfig) -> String {
        self.git_ref.clone().unwrap_or_else(|| match self.event() {
            "release" => RELEASE_TAG.to_string(),
            _ => format!("refs/heads/{}", config.branch),
        })
    }

    fn environment(&self, config: &ValidConfig) -> String {
        self.environment
            .clone()
            .unwrap_or_else(|| config.environment.clone().unwrap_or_default())
    }

    fn repository(&self, config: &ValidConfig) -> String {
        self.repository
            .clone()
            .unwrap_or_else(|| Repository::of_config(config).slug())
    }

    fn subject_form(&self, config: &ValidConfig) -> String {
        self.subject_form.clone().unwrap_or_else(|| {
            SubjectForm::of_config(config.subject_format)
                .key()
                .to_string()
        })
    }

    fn is_pull_request(&self) -> bool {
        matches!(self.event(), "pull_request" | "pull_request_target")
    }

    /// The run these fields describe, or what is wrong with them.
    fn run(&self, config: &ValidConfig) -> Result<Run, String> {
        let event = Event::parse(self.event(), self.from_fork && self.is_pull_request())?;
        let environment = self.environment(config);
        Ok(Run {
            repository: Repository::parse(&self.repository(config), config)
                .map_err(|e| format!("Repository {e}"))?,
            event,
            git_ref: self.git_ref(config).trim().to_string(),
            environment: (!environment.trim().is_empty()).then(|| environment.trim().to_string()),
            subject_form: match self.subject_form(config).as_str() {
                "immutable" => SubjectForm::Immutable,
                _ => SubjectForm::Legacy,
            },
        })
    }
}

/// One decision as shown.
#[derive(Clone, PartialEq)]
struct Shown {
    allowed: bool,
    run: String,
    sub: Option<String>,
    reason: String,
}

/// The decision for the edits on `config`, or the message that replaces it.
fn decide(config: &ValidConfig, edits: &Edits) -> Result<Shown, String> {
    let run = edits.run(config).map_err(|e| sentence(&e))?;
    run.validate().map_err(|e| sentence(&e))?;
    let pasted = edits.policy.trim();
    let decision = if pasted.is_empty() {
        trust_check::check_generated(config, &run).map_err(|e| sentence(&e.to_string()))
    } else {
        trust_check::check(pasted, &run, Some(&config.account_id))
            .map_err(|e| format!("The pasted policy: {e}"))
    }?;
    Ok(Shown {
        allowed: decision.allowed,
        run: run.describe(),
        sub: decision.sub,
        reason: decision.reason,
    })
}

/// The panel.
#[component]
pub fn RunCheck(
    /// The store whose last valid config is tested.
    state: FormState,
) -> impl IntoView {
    let edits = RwSignal::new(Edits::default());
    let outcome = Memo::new(move |_| {
        state
            .shown
            .with(|g| g.as_ref().map(|g| edits.with(|e| decide(&g.config, e))))
    });
    // A field's shown text: the edit, or the config's value.
    let shown = move |get: fn(&Edits, &ValidConfig) -> String| {
        state.shown.with(|g| {
            g.as_ref()
                .map(|g| edits.with(|e| get(e, &g.config)))
                .unwrap_or_default()
        })
    };
    let role_name = move || {
        state.shown.with(|g| {
            g.as_ref()
                .map(|g| keyless_core::names::Names::new(&g.config).deploy_role)
                .unwrap_or_default()
        })
    };
    view! {
        <section class="run-check" aria-labelledby="run-check-title">
            <h2 id="run-check-title">"Test a run"</h2>
            <p class="hint">"Would this workflow run get AWS credentials? The answer GitHub's token and IAM would give, for the generated trust policy or one you paste."</p>
            <div class="field">
                <label for="run-event">"Event"</label>
                <select id="run-event" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    edits.update(|e| e.event = Some(value));
                }>
                    {EVENT_NAMES.iter().map(|name| view! {
                        <option value=*name selected=move || edits.with(|e| e.event() == *name)>{*name}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field checkbox" hidden=move || !edits.with(Edits::is_pull_request)>
                <input id="run-fork" type="checkbox" prop:checked=move || edits.with(|e| e.from_fork)
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        edits.update(|e| e.from_fork = checked);
                    } />
                <label for="run-fork">"The pull request comes from a fork"</label>
            </div>
            <RunField id="run-ref" label="Ref" edits value=move || shown(Edits::git_ref)
                set=|e, v| e.git_ref = Some(v)
                hint="The full ref: refs/heads/BRANCH, or refs/tags/TAG for a tag push or a release; for a pull request, its base branch" />
            <RunField id="run-environment" label="Environment" edits value=move || shown(Edits::environment)
                set=|e, v| e.environment = Some(v)
                hint="The job's environment: it replaces the ref in the token's subject; empty for none" />
            <RunField id="run-repository" label="Repository" edits value=move || shown(Edits::repository)
                set=|e, v| e.repository = Some(v)
                hint="OWNER/REPO, or OWNER@OWNER_ID/REPO@REPO_ID for immutable subjects of another repository" />
            <div class="field">
                <label for="run-subject-form">"Subject format the repository emits"</label>
                <select id="run-subject-form" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    edits.update(|e| e.subject_form = Some(value));
                }>
                    {["legacy", "immutable"].into_iter().map(|form| view! {
                        <option value=form selected=move || shown(Edits::subject_form) == form>{form}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="run-policy">"Trust policy (optional)"</label>
                <textarea id="run-policy" rows="4" spellcheck="false" aria-describedby="run-policy-hint"
                    prop:value=move || edits.with(|e| e.policy.clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        edits.update(|e| e.policy = value);
                    }></textarea>
                <p class="hint" id="run-policy-hint">
                    "Empty: the generated infra/trust-policy.json. To test a role as it is: "
                    <code>{move || format!("aws iam get-role --role-name {} --query Role.AssumeRolePolicyDocument", role_name())}</code>
                </p>
            </div>
            <div class="run-outcome" role="status" aria-live="polite">
                {move || match outcome.get() {
                    None => view! { <p class="empty">"The test runs once the form is valid."</p> }.into_any(),
                    Some(Err(message)) => view! { <p class="error" data-run="error">{message}</p> }.into_any(),
                    Some(Ok(shown)) => view! {
                        <p class="verdict" class:allowed=shown.allowed class:denied=!shown.allowed data-run="decision">
                            <strong>{if shown.allowed { "Allowed" } else { "Denied" }}</strong>": "{shown.run}
                        </p>
                        <dl>
                            <dt>"sub"</dt>
                            <dd data-run="sub">{match shown.sub {
                                Some(sub) => view! { <code>{sub}</code> }.into_any(),
                                None => "None: GitHub issues no OIDC token to this run".into_any(),
                            }}</dd>
                            <dt>"Why"</dt>
                            <dd data-run="reason">{shown.reason}</dd>
                        </dl>
                    }.into_any(),
                }}
            </div>
        </section>
    }
}

/// A text field of the run: shows the config's value until edited.
#[component]
fn RunField(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    edits: RwSignal<Edits>,
    value: impl Fn() -> String + Send + Sync + 'static,
    set: fn(&mut Edits, String),
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="text" spellcheck="false" autocomplete="off" aria-describedby=hint_id.clone()
                prop:value=value
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    edits.update(|e| set(e, typed));
                } />
            <p class="hint" id=hint_id>{hint}</p>
        </div>
    }
}
