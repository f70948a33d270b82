//! The live preview: one tab per file of the bundle, with copy and download, the
//! "Download all" archive, and the stale marker while the inputs have errors.

use keyless_core::bundle::FileUse;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::components::on_click;
use crate::state::FormState;

/// The file name a path downloads as (its last part).
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn mime_of(path: &str) -> &'static str {
    if path.ends_with(".json") {
        "application/json"
    } else if path.ends_with(".yml") {
        "application/yaml"
    } else if path.ends_with(".sh") {
        "application/x-sh"
    } else {
        "text/plain"
    }
}

/// What a file is for and what to do with it, shown above its text.
pub fn file_purpose(path: &str) -> &'static str {
    match path {
        "infra/trust-policy.json" => "Who may assume the deploy role: only GitHub's OIDC tokens for your repository and branch (or environment), with the STS audience. setup.sh attaches it.",
        "infra/permissions-policy.json" => "What the deploy role may do: push to one ECR repository, register task definitions, update one service, and pass exactly two roles to ECS. setup.sh attaches it.",
        "infra/setup.sh" => "Creates everything in your AWS account, idempotently: run it once with admin credentials, `bash infra/setup.sh`, before the first push.",
        "infra/teardown.sh" => "Removes what setup.sh created, in a safe order; keeps the account-wide OIDC provider unless asked.",
        "infra/cloudformation.yaml" => "The same resources as setup.sh, as one CloudFormation stack to review, create from the console or with `aws cloudformation deploy`, and delete in one step. Use it or setup.sh, not both.",
        ".aws/task-definition.json" => "The ECS task definition the workflow renders with each new image and registers: Fargate, awsvpc, logs to the pre-created group.",
        ".github/workflows/deploy.yml" => "The GitHub Actions workflow: on push to your branch it assumes the role via OIDC, builds and pushes the image tagged with the commit SHA, and deploys it.",
        "keyless.json" => "Your answers, normalised: import it here (or run `keyless generate`) to regenerate these files.",
        "DEPLOY.md" => "The steps from these files to a running app, and day two (logs, rollback, changes, teardown), with a diagram GitHub draws: commit it beside the workflow.",
        "Dockerfile" => "The starter's image: a pinned official base, a non-root user, the app on PORT. Commit it at the repository's root; yours to edit (keyless generate never replaces it).",
        ".dockerignore" => "Keeps the repository's tooling and the deploy files out of the image.",
        "server.js" | "app.py" | "main.go" | "public/index.html" => "The starter's minimal app (JSON on every path, {\"status\": \"ok\"} on /health): replace it with yours.",
        "package.json" | "go.mod" => "The starter app's manifest, without dependencies.",
        _ => "",
    }
}

/// The preview panel.
#[component]
pub fn Preview(
    /// The store whose bundle is shown.
    state: FormState,
) -> impl IntoView {
    let selected = RwSignal::new(0usize);
    // The files grouped by use; a tab's index is its place in this order.
    let paths = Memo::new(move |_| {
        state.shown.with(|b| {
            let files = b
                .as_ref()
                .map(|g| g.bundle.files.as_slice())
                .unwrap_or_default();
            FileUse::ALL
                .iter()
                .flat_map(|u| {
                    files
                        .iter()
                        .map(|f| f.path)
                        .filter(|p| FileUse::of(p) == *u)
                })
                .collect::<Vec<_>>()
        })
    });
    // A memo, so the tabs are built again only when files appear or go.
    let has_files = Memo::new(move |_| state.shown.with(Option::is_some));
    let stale = move || state.result.with(Result::is_err) && state.shown.with(Option::is_some);
    let problems = move || {
        state
            .result
            .with(|r| r.as_ref().err().map_or(0, |e| e.0.len()))
    };
    let download_all = move |_| {
        if let Some(zip) = state
            .shown
            .with_untracked(|g| g.as_ref().map(|g| g.bundle.zip()))
        {
            browser::download("keyless-bundle.zip", &zip, "application/zip");
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let count = paths.with_untracked(Vec::len);
        if count == 0 {
            return;
        }
        let current = selected.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" => (current + 1) % count,
            "ArrowLeft" => (current + count - 1) % count,
            "Home" => 0,
            "End" => count - 1,
            _ => return,
        };
        ev.prevent_default();
        selected.set(next);
        browser::focus(&format!("tab-{next}"));
    };
    view! {
        <section class="preview" id="files" aria-labelledby="preview-title" data-stale=move || stale().to_string()>
            <div class="preview-head">
                <h2 id="preview-title" tabindex="-1">"Your files"</h2>
                <a class="jump" href="#wizard" on:click=on_click(|ev| { ev.prevent_default(); browser::focus_after_render("wizard-title"); })>"Back to the form"</a>
                <button type="button" class="primary" on:click=on_click(download_all)
                    disabled=move || state.shown.with(Option::is_none)>"Download all (.zip)"</button>
            </div>
            <p class="stale" role="status" hidden=move || !stale()>
                {move || format!(
                    "Out of date: {} problem{} in the form. These files are from your last valid answers.",
                    problems(), if problems() == 1 { "" } else { "s" }
                ).into_any()}
            </p>
            {move || if !has_files.get() {
                view! {
                    <p class="empty">"Enter your GitHub repository and AWS account id to see your files."</p>
                }.into_any()
            } else { view! {
                <label class="file-select">
                    <span>"File"</span>
                    <select on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse() { selected.set(i) }
                    }>
                        {move || groups(&paths.get()).into_iter().map(|(group, files)| view! {
                            <optgroup label=group.title()>
                                {files.into_iter().map(|(i, path)| view! {
                                    <option value=i.to_string() selected=move || selected.get() == i>{path}</option>
                                }).collect_view()}
                            </optgroup>
                        }).collect_view().into_any()}
                    </select>
                </label>
                <div class="tabs" on:keydown=on_key>
                    {move || groups(&paths.get()).into_iter().map(|(group, files)| {
                        let heading = format!("files-{}", group.title().to_ascii_lowercase().replace(' ', "-"));
                        view! {
                            <div class="tab-group">
                                <span class="tab-group-name" id=heading.clone()>{group.title()}</span>
                                <div role="tablist" aria-labelledby=heading>
                                    {files.into_iter().map(|(i, path)| view! {
                                        <button type="button" role="tab" id=format!("tab-{i}")
                                            aria-selected=move || (selected.get() == i).to_string()
                                            aria-controls=format!("panel-{i}")
                                            tabindex=move || (if selected.get() == i { "0" } else { "-1" }).to_string()
                                            on:click=on_click(move |_| selected.set(i))
                                        >{path}</button>
                                    }).collect_view()}
                                </div>
                            </div>
                        }
                    }).collect_view().into_any()}
                </div>
                {move || paths.get().into_iter().enumerate().map(|(i, path)| view! {
                    <FilePanel state index=i path selected />
                }).collect_view().into_any()}
            }.into_any() }}
        </section>
    }
}

/// The files by use, each with its index in `paths` (empty groups left out).
fn groups(paths: &[&'static str]) -> Vec<(FileUse, Vec<(usize, &'static str)>)> {
    FileUse::ALL
        .into_iter()
        .map(|u| {
            let files = paths
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, p)| FileUse::of(p) == u)
                .collect::<Vec<_>>();
            (u, files)
        })
        .filter(|(_, files)| !files.is_empty())
        .collect()
}

/// One file's panel: its text, a copy button with feedback, and a download button.
#[component]
fn FilePanel(
    state: FormState,
    index: usize,
    path: &'static str,
    selected: RwSignal<usize>,
) -> impl IntoView {
    let file_text = move || {
        state.shown.with_untracked(|b| {
            b.as_ref()
                .and_then(|g| g.bundle.file(path))
                .unwrap_or_default()
                .to_string()
        })
    };
    // Only the selected panel holds its text: the hidden ones stay empty, so the
    // first render and each keystroke write one file into the page, not ten.
    let text = Memo::new(move |_| {
        if selected.get() != index {
            return String::new();
        }
        state.shown.track();
        file_text()
    });
    let feedback = RwSignal::new(String::new());
    let copy = move |_| {
        let content = file_text();
        spawn_local(async move {
            let copied = browser::copy_text(&content).await;
            let note = if copied {
                "Copied"
            } else {
                "Copy failed: select the text and copy it"
            };
            feedback.set(note.to_string());
            set_timeout(
                move || feedback.set(String::new()),
                std::time::Duration::from_secs(2),
            );
        });
    };
    let download = move |_| {
        browser::download(file_name(path), file_text().as_bytes(), mime_of(path));
    };
    view! {
        <div class="file" role="tabpanel" id=format!("panel-{index}")
            aria-labelledby=format!("tab-{index}") hidden=move || selected.get() != index>
            <div class="file-actions">
                <button type="button" on:click=on_click(copy) aria-label=format!("Copy {path}")>"Copy"</button>
                <button type="button" on:click=on_click(download) aria-label=format!("Download {path}")>"Download"</button>
                <span class="feedback" role="status" aria-live="polite">{move || feedback.get().into_any()}</span>
            </div>
            <p class="purpose">{file_purpose(path)}</p>
            <pre data-artifact=path tabindex="0" aria-label=path>{move || text.get().into_any()}</pre>
        </div>
    }
}
