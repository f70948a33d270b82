//! The app inside the page's static frame (index.html): the wizard on one side and
//! the live preview on the other.

use keyless_core::Field;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser;
use crate::components::config_file::ConfigFileActions;
use crate::components::cost_panel::CostPanel;
use crate::components::field::{
    CheckboxField, LinesField, PairsField, Placeholder, RadioField, SelectField, TextField,
};
use crate::components::front_door::FrontDoor;
use crate::components::next_steps::NextSteps;
use crate::components::on_click;
use crate::components::preview::Preview;
use crate::components::review::Review;
use crate::components::run_check::RunCheck;
use crate::components::size_picker::SizePicker;
use crate::components::troubleshooter::Troubleshooter;
use crate::persist;
use crate::state::{suggested_app_name, FormState};
use crate::steps::Step;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = FormState::new(persist::initial_raw());
    state.go_to(persist::initial_step());
    persist::handle_persistence(state);
    // The panels beside the form mount after it, one task each in reading order, so
    // the form is usable first and no single long task blocks the page at load.
    let mounted = RwSignal::new(0usize);
    mount_one_more(mounted, RESULT_PANELS);
    let after = move |panels: usize| Memo::new(move |_| mounted.get() >= panels);
    let (preview, next_steps, run_check, cost, troubleshooter) =
        (after(1), after(2), after(3), after(4), after(5));
    view! {
        <Wizard state />
        <div class="results">
            {move || if preview.get() { view! { <Preview state /> }.into_any() } else { ().into_any() }}
            {move || if next_steps.get() { view! { <NextSteps state /> }.into_any() } else { ().into_any() }}
            {move || if run_check.get() { view! { <RunCheck state /> }.into_any() } else { ().into_any() }}
            {move || if cost.get() { view! { <CostPanel state /> }.into_any() } else { ().into_any() }}
            {move || if troubleshooter.get() { view! { <Troubleshooter state /> }.into_any() } else { ().into_any() }}
        </div>
    }
}

/// How many panels the results column holds.
const RESULT_PANELS: usize = 5;

/// Mounts one more results panel in the next task, then schedules the next one.
fn mount_one_more(mounted: RwSignal<usize>, total: usize) {
    set_timeout(
        move || {
            mounted.update(|n| *n += 1);
            if mounted.get_untracked() < total {
                mount_one_more(mounted, total);
            }
        },
        std::time::Duration::ZERO,
    );
}

/// The steps, their navigation and the form.
#[component]
fn Wizard(state: FormState) -> impl IntoView {
    let go = move |step: Step| {
        state.go_to(step);
        state.notice.set(String::new());
        browser::focus("wizard-title");
    };
    let next = move |_: ()| {
        let step = state.step.get_untracked();
        let failing: Vec<Field> = step
            .fields()
            .iter()
            .copied()
            .filter(|f| state.error(*f).is_some())
            .collect();
        if failing.is_empty() {
            if let Some(next) = step.next() {
                go(next);
            }
        } else {
            for field in failing {
                state.touch(field);
            }
            browser::focus_after_render(&format!("summary-{}", step.id()));
        }
    };
    // Enter in a one-line field does what Next does (a textarea keeps its
    // newline; buttons, radios and checkboxes keep theirs).
    let on_enter = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Enter" || ev.is_composing() {
            return;
        }
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if matches!(
            input.type_().as_str(),
            "text" | "search" | "url" | "number" | "email"
        ) {
            ev.prevent_default();
            if state.step.get_untracked().next().is_some() {
                next(());
            }
        }
    };
    view! {
        <section class="wizard" aria-labelledby="wizard-title" id="wizard">
            <nav aria-label="Steps">
                <p class="step-count" aria-hidden="true">{move || format!("Step {} of {}", state.step.get().index() + 1, Step::ALL.len()).into_any()}</p>
                <ol class="steps">
                    {Step::ALL.into_iter().enumerate().map(|(i, step)| {
                        let progress = move || step_progress(state, step);
                        view! {
                            <li>
                                <button type="button"
                                    aria-current=move || (state.step.get() == step).then_some("step")
                                    data-progress=move || progress().0
                                    on:click=on_click(move |_| go(step))
                                ><span class="step-number">{format!("{}. ", i + 1)}</span><span class="step-title">{step.title()}</span>
                                <span class="visually-hidden">{move || progress().1.into_any()}</span></button>
                            </li>
                        }.into_any()
                    }).collect_view()}
                </ol>
            </nav>
            <a class="jump" href="#files" on:click=on_click(|ev| { ev.prevent_default(); browser::focus_after_render("preview-title"); })>"Jump to your files"</a>
            <h2 id="wizard-title" tabindex="-1">{move || state.step.get().title().into_any()}</h2>
            <p class="notice" role="status">{move || state.notice.get().into_any()}</p>
            <ErrorSummary state />
            <form novalidate=true on:submit=|ev| ev.prevent_default() on:keydown=on_enter>
                {move || match state.step.get() {
                    Step::GitHub => view! { <GitHubStep state /> }.into_any(),
                    Step::Aws => view! { <AwsStep state /> }.into_any(),
                    Step::App => view! { <AppStep state /> }.into_any(),
                    Step::Traffic => view! { <TrafficStep state /> }.into_any(),
                    Step::Network => view! { <NetworkStep state /> }.into_any(),
                    Step::Review => view! { <Review state /> }.into_any(),
                }}
            </form>
            <div class="step-nav">
                <button type="button" on:click=on_click(move |_| {
                    if let Some(previous) = state.step.get_untracked().previous() { go(previous) }
                }) hidden=move || state.step.get().previous().is_none()>"Back"</button>
                <button type="button" class="primary" on:click=on_click(move |_| next(()))
                    hidden=move || state.step.get().next().is_none()>"Next"</button>
            </div>
            <ConfigFileActions state />
        </section>
    }
}

/// Where the user is with `step`, for the stepper: `(data-progress, words for
/// screen readers)`. A step has problems when a shown field of it has an error;
/// it is done once visited and free of errors.
fn step_progress(state: FormState, step: Step) -> (&'static str, &'static str) {
    if step
        .fields()
        .iter()
        .any(|f| state.shown_error(*f).is_some())
    {
        ("problems", ", has problems")
    } else if state.step.get() == step {
        ("current", ", current step")
    } else if step != Step::Review
        && state.was_visited(step)
        && step.fields().iter().all(|f| state.error(*f).is_none())
    {
        ("done", ", done")
    } else {
        ("todo", ", not done yet")
    }
}

/// The problems of the current step, with links to the fields (focused on a failed Next).
#[component]
fn ErrorSummary(state: FormState) -> impl IntoView {
    let problems = move || {
        let step = state.step.get();
        let fields: Vec<Field> = match step {
            Step::Review => Field::ALL.to_vec(),
            _ => step.fields().to_vec(),
        };
        fields
            .into_iter()
            .filter_map(|f| {
                let message = if step == Step::Review {
                    state.error(f)
                } else {
                    state.shown_error(f)
                };
                message.map(|m| (f, m))
            })
            .collect::<Vec<_>>()
    };
    view! {
        <div class="error-summary" role="alert" tabindex="-1"
            id=move || format!("summary-{}", state.step.get().id())
            hidden=move || problems().is_empty()>
            <h3>"There is a problem"</h3>
            <ul>
                {move || problems().into_iter().map(|(field, message)| {
                    let target = format!("field-{}", field.key());
                    let step = Step::of(field);
                    view! {
                        <li><a href=format!("#{target}") on:click=on_click(move |ev| {
                            ev.prevent_default();
                            state.step.set(step);
                            browser::focus(&target);
                        })>{message}</a></li>
                    }.into_any()
                }).collect_view().into_any()}
            </ul>
        </div>
    }
}

#[component]
fn GitHubStep(state: FormState) -> impl IntoView {
    let immutable = move || {
        state
            .raw
            .with(|r| !matches!(r.subject_format.trim(), "" | "legacy"))
    };
    // Open from the start when the config already uses another format.
    let advanced = RwSignal::new(untrack(immutable));
    let ids_command = move || {
        state.raw.with(|r| {
            let owner = if r.github_owner.trim().is_empty() {
                "OWNER"
            } else {
                r.github_owner.trim()
            };
            let repo = r.github_repo.trim().rsplit('/').next().unwrap_or("REPO");
            let repo = if repo.is_empty() { "REPO" } else { repo };
            format!("gh api repos/{owner}/{repo} --jq '.owner.id, .id'")
        })
    };
    view! {
        <TextField state field=Field::GithubOwner label="GitHub owner" placeholder="octo-org"
            hint="The user or organisation that owns the repository" />
        <TextField state field=Field::GithubRepo label="GitHub repository" placeholder="octo-app"
            hint="The name, owner/name, or the repository's URL" />
        <TextField state field=Field::Branch label="Branch" placeholder="main"
            hint="Pushes to this branch deploy; nothing else can assume the role" />
        <TextField state field=Field::Environment label="GitHub environment (optional)" placeholder="production"
            hint="When set, the deploy job runs in this environment (its protection rules apply) and AWS trusts the environment instead of the branch" />
        <div class="advanced">
            <button type="button" class="disclosure" aria-controls="advanced-subject-format"
                aria-expanded=move || advanced.get().to_string()
                on:click=move |_| advanced.update(|open| *open = !*open)
            >"Advanced: OIDC subject format"</button>
            <div id="advanced-subject-format" hidden=move || !advanced.get()>
            <RadioField state field=Field::SubjectFormat legend="OIDC subject format" default="legacy"
                choices=&[("legacy", "Legacy (repo:owner/name:…)"), ("immutable", "Immutable (owner@id/name@id)"), ("both", "Both, while migrating")]
                hint="Most repositories send the legacy form. Repositories created, renamed or transferred after 2026-07-15 send the immutable one; the review step gives the command that tells which" />
            <div hidden=move || !immutable()>
                <p class="hint">"Find the ids with the GitHub CLI: " <code>{move || ids_command().into_any()}</code></p>
                <TextField state field=Field::GithubOwnerId label="Owner id" inputmode="numeric" placeholder="9919" />
                <TextField state field=Field::GithubRepoId label="Repository id" inputmode="numeric" placeholder="123456789" />
            </div>
            </div>
        </div>
    }
}

fn region_options(_: FormState) -> Vec<(String, String)> {
    keyless_core::regions::REGIONS
        .iter()
        .map(|(code, name)| (code.to_string(), format!("{name} — {code}")))
        .collect()
}

fn retention_options(_: FormState) -> Vec<(String, String)> {
    keyless_core::config::LOG_RETENTION_DAYS
        .iter()
        .map(|d| (d.to_string(), retention_label(*d)))
        .collect()
}

/// A retention as CloudWatch's console names it: days, weeks, months or years.
pub fn retention_label(days: u32) -> String {
    let (count, unit) = match days {
        7 | 14 => (days / 7, "week"),
        30 | 60 | 90 | 120 | 150 | 180 | 400 | 545 => (days / 30, "month"),
        365 | 731 | 1096 | 1827 | 2192 | 2557 | 2922 | 3288 | 3653 => (days / 365, "year"),
        _ => (days, "day"),
    };
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

/// The health check placeholder for the port typed (or the default one).
fn health_check_placeholder(state: FormState) -> String {
    let port = state.raw.with(|r| {
        let port = r.container_port.trim();
        if port.parse::<u16>().is_ok_and(|p| p > 0) {
            port.to_string()
        } else {
            "8080".to_string()
        }
    });
    format!("curl -f http://localhost:{port}/health || exit 1")
}

#[component]
fn AwsStep(state: FormState) -> impl IntoView {
    view! {
        <TextField state field=Field::AccountId label="AWS account id" placeholder="123456789012"
            inputmode="numeric" hint="12 digits, top right of the AWS console" />
        <SelectField state field=Field::Region label="AWS region" options=region_options />
    }
}

/// The app name an empty field stands for, shown as its placeholder.
fn app_name_placeholder(state: FormState) -> String {
    let suggested = state.raw.with(|r| suggested_app_name(&r.github_repo));
    if suggested.is_empty() {
        "my-app".to_string()
    } else {
        suggested
    }
}

#[component]
fn AppStep(state: FormState) -> impl IntoView {
    view! {
        <TextField state field=Field::AppName label="App name" placeholder=Placeholder::FromForm(app_name_placeholder)
            hint="Names the ECR repository, cluster, service, log group and roles; empty = from the repository. Setup refuses a name already used by something Keyless did not create" />
        <p class="note" role="status">{move || state.raw.with(|r| keyless_core::config::app_name_note(&r.app_name)).unwrap_or_default().into_any()}</p>
        <RadioField state field=Field::Starter legend="Dockerfile" default="none"
            choices=&[("none", "My repository has one at its root"), ("node", "Write one for Node.js"), ("python", "Write one for Python"), ("go", "Write one for Go"), ("static", "Write one for a static site")]
            hint="A starter adds a small non-root Dockerfile and a minimal app answering /health, so an empty repository deploys as it is; yours to edit once written" />
        <TextField state field=Field::ContainerPort label="Container port" inputmode="numeric" placeholder="8080" />
        <SizePicker state />
        <RadioField state field=Field::Architecture legend="CPU architecture" default="X86_64"
            choices=&[("X86_64", "x86-64"), ("ARM64", "ARM64 (Graviton, about 20% cheaper)")]
            hint="The workflow builds the image for this platform" />
        <TextField state field=Field::DesiredCount label="Tasks" inputmode="numeric" placeholder="1"
            hint="How many copies of the container the service keeps running" />
        <CheckboxField state field=Field::UseSpot label="Run on Fargate Spot" default=false
            hint="Up to 70% cheaper; AWS may stop tasks with two minutes' notice" />
        <TextField state field=Field::HealthCheckCommand label="Health check command (optional)"
            placeholder=Placeholder::FromForm(health_check_placeholder)
            hint="Runs inside the container; the image must have the tool it uses" />
        <SelectField state field=Field::LogRetentionDays label="Keep logs for" options=retention_options />
        <TextField state field=Field::EphemeralStorageGib label="Ephemeral storage in GiB (optional)"
            inputmode="numeric" placeholder="20" hint="20 GiB are included; up to 200" />
        <PairsField state field=Field::EnvironmentVariables legend="Environment variables" value_label="value"
            value_placeholder="value" />
        <PairsField state field=Field::Secrets legend="Secrets" value_label="SSM parameter or Secrets Manager ARN"
            value_placeholder="arn:aws:secretsmanager:… or /app/db-password"
            hint="Read by ECS when the task starts; the values never appear in the files" />
    }
}

#[component]
fn TrafficStep(state: FormState) -> impl IntoView {
    view! {
        <FrontDoor state />
        <fieldset class="group">
            <legend>"Autoscaling (optional)"</legend>
            <p class="hint">"Fill in all three and ECS adds tasks when the average CPU stays above the target and removes them when it falls below. Tasks (in the App step) is where the service starts, between the fewest and the most."</p>
            <TextField state field=Field::MinCount label="Fewest tasks" inputmode="numeric" />
            <TextField state field=Field::MaxCount label="Most tasks" inputmode="numeric" />
            <TextField state field=Field::CpuTargetPercent label="CPU target (%)" inputmode="numeric"
                hint="The average CPU use the service is kept at; below 100 leaves room for a burst while a new task starts" />
        </fieldset>
    }
}

#[component]
fn NetworkStep(state: FormState) -> impl IntoView {
    view! {
        <p class="hint">"Leave both lists empty to use the default VPC's subnets and a new security group that opens only the container port (with a load balancer, only to it). A load balancer needs at least two subnets in different Availability Zones."</p>
        <LinesField state field=Field::Subnets label="Subnet ids (optional)" placeholder="subnet-0123456789abcdef0"
            hint="One per line" />
        <LinesField state field=Field::SecurityGroups label="Security group ids (optional)" placeholder="sg-0123456789abcdef0"
            hint="One per line" />
        <CheckboxField state field=Field::AssignPublicIp label="Give each task a public IPv4 address" default=true
            hint="Needed in public subnets without a NAT gateway (the default VPC) to pull the image; costs $3.65 a month per task" />
    }
}
