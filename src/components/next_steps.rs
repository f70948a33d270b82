//! What gets built and what to do next: the deploy flow as an inline SVG (no
//! library, no request) and the first-deploy checklist with copyable commands,
//! both from `keyless_core::guide`, the model `DEPLOY.md` is rendered from.

use keyless_core::guide::{self, Flow, GuideStep};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::components::on_click;
use crate::state::FormState;

/// The panel: the diagram, then the checklist.
#[component]
pub fn NextSteps(
    /// The store whose last valid config is drawn.
    state: FormState,
) -> impl IntoView {
    let model = Memo::new(move |_| {
        state.shown.with(|g| {
            g.as_ref()
                .map(|g| (guide::flow(&g.config), guide::first_deploy(&g.config)))
        })
    });
    view! {
        <section class="next-steps" aria-labelledby="next-steps-title">
            <h2 id="next-steps-title">"What gets built, and what to do next"</h2>
            {move || match model.get() {
                None => view! { <p class="empty">"The diagram and the steps appear once the form is valid."</p> }.into_any(),
                Some((flow, steps)) => view! {
                    {diagram(&flow)}
                    <ol class="checklist">
                        {steps.into_iter().enumerate().map(|(i, step)| view! { <StepItem index=i step /> }).collect_view()}
                    </ol>
                    <p class="hint">"The same steps, and day two (logs, rollback, changes, teardown), are in DEPLOY.md."</p>
                }.into_any(),
            }}
        </section>
    }
}

/// Text with Markdown code spans (`` `x` ``) as `<code>`.
fn with_code_spans(text: &str) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            let part = part.to_string();
            if i % 2 == 1 {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}

#[component]
fn StepItem(index: usize, step: GuideStep) -> impl IntoView {
    let feedback = RwSignal::new("");
    let commands = step.commands.clone();
    let copy = move |_| {
        let text = commands.clone();
        spawn_local(async move {
            feedback.set(if browser::copy_text(&text).await {
                "Copied"
            } else {
                "Copy failed: select the text and copy it"
            });
        });
    };
    let has_commands = !step.commands.is_empty();
    view! {
        <li data-guide-step=index>
            <p><strong>{step.title}"."</strong>" "{with_code_spans(&step.text)}</p>
            {has_commands.then(|| view! {
                <div class="commands">
                    <pre tabindex="0">{step.commands}</pre>
                    <button type="button" on:click=on_click(copy)
                        aria-label=format!("Copy the commands of step {}", index + 1)>"Copy"</button>
                    <span class="feedback" role="status" aria-live="polite">{move || feedback.get()}</span>
                </div>
            })}
        </li>
    }
}

/// Widest line of a box, in characters of the 12 px monospace text
/// (the viewBox is 340 units wide; the page scales it to the column).
const LINE_CHARS: usize = 44;
const WIDTH: usize = 340;
const LINE: usize = 15;
const ARROW: usize = 46;

/// Widest line of the 11 px list of files.
const FILE_CHARS: usize = 48;
/// Widest line of an arrow's label, in characters of the 12 px sans-serif text.
const LABEL_CHARS: usize = 38;

/// `text` in lines of at most `max` characters, broken after `/`, `:`, `,` or a space when one is near.
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max {
        let limit = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let cut = rest[..limit]
            .rfind(['/', ':', ',', ' '])
            .filter(|&i| i > limit / 4)
            .map_or(limit, |i| i + 1);
        lines.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    lines.push(rest.to_string());
    lines
}

/// The flow, top to bottom: one box per resource (title, name, the files that
/// make it), one labelled arrow between each pair; `<title>` and `<desc>` say
/// it all as text.
fn diagram(flow: &Flow) -> impl IntoView {
    let mut y = 0;
    let mut parts = Vec::new();
    for (i, b) in flow.boxes.iter().enumerate() {
        let mut lines: Vec<(String, &'static str)> = vec![(b.title.to_string(), "flow-title")];
        lines.extend(
            wrap(&b.name, LINE_CHARS)
                .into_iter()
                .map(|l| (l, "flow-name")),
        );
        if !b.files.is_empty() {
            lines.extend(
                wrap(&b.files.join(", "), FILE_CHARS)
                    .into_iter()
                    .map(|l| (l, "flow-file")),
            );
        }
        let height = 12 + LINE * lines.len();
        let top = y;
        parts.push(view! {
            <g class="flow-box">
                <rect x="1" y=(top + 1).to_string() width=(WIDTH - 2).to_string() height=height.to_string() rx="6" />
                {lines.into_iter().enumerate().map(|(n, (text, class))| view! {
                    <text x="10" y=(top + 18 + LINE * n).to_string() class=class>{text}</text>
                }).collect_view()}
            </g>
        }.into_any());
        y += height + 2;
        if let Some(label) = flow.arrows.get(i) {
            let label = wrap(label, LABEL_CHARS);
            let length = ARROW + LINE * (label.len() - 1);
            let (start, end) = (y, y + length - 2);
            let first = start + length / 2 + 3 - LINE * (label.len() - 1) / 2;
            parts.push(
                view! {
                    <g class="flow-arrow">
                        <line x1="24" y1=start.to_string() x2="24" y2=(end - 6).to_string() />
                        <path d=format!("M18 {} L24 {end} L30 {} Z", end - 8, end - 8) />
                        {label.into_iter().enumerate().map(|(n, text)| view! {
                            <text x="36" y=(first + LINE * n).to_string()>{text}</text>
                        }).collect_view()}
                    </g>
                }
                .into_any(),
            );
            y += length;
        }
    }
    let description = flow
        .boxes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let files = if b.files.is_empty() {
                String::new()
            } else {
                format!(" (made by {})", b.files.join(", "))
            };
            let arrow = flow
                .arrows
                .get(i)
                .map(|a| format!(", which {a}; then "))
                .unwrap_or_else(|| ".".to_string());
            format!("{}: {}{files}{arrow}", b.title, b.name)
        })
        .collect::<String>();
    view! {
        <svg class="flow" role="img" aria-labelledby="flow-title flow-desc"
            viewBox=format!("0 0 {WIDTH} {y}") width="100%">
            <title id="flow-title">"From a push to your users"</title>
            <desc id="flow-desc">{description}</desc>
            {parts}
        </svg>
    }
}
