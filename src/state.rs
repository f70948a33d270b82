//! The one store of raw inputs; everything shown is derived from it.

use keyless_core::{Bundle, ConfigErrors, Field, RawConfig, ValidConfig};
use leptos::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::steps::Step;

/// A valid config and the files generated from it.
#[derive(Clone, PartialEq)]
pub struct Generated {
    /// The validated config.
    pub config: ValidConfig,
    /// Its files and findings.
    pub bundle: Bundle,
}

/// The form's state. `raw` is the only source of truth; the bundle, the errors and
/// the preview are memos over it, never written back.
#[derive(Clone, Copy)]
pub struct FormState {
    /// Raw inputs, exactly as typed (never cleared by validation).
    pub raw: RwSignal<RawConfig>,
    /// Keys of the fields whose errors are shown: edited by the user, or on a step
    /// the user tried to leave with Next.
    pub touched: RwSignal<Touched>,
    /// The config and bundle of the current inputs, or every problem with them.
    pub result: Memo<Result<Generated, ConfigErrors>>,
    /// The last valid config and bundle: the preview and the cost estimate keep them
    /// while errors remain (the preview marked stale).
    pub shown: Memo<Option<Generated>>,
    /// The wizard step on screen.
    pub step: RwSignal<Step>,
    /// The steps the user has been on, one bit per [`Step::index`].
    pub visited: RwSignal<u8>,
    /// A one-line notice of something the page did on its own (a shared
    /// config loaded from a changed link), shown in the wizard until the next one.
    pub notice: RwSignal<String>,
    /// Bumped by a reset, so the preview forgets the last valid bundle.
    pub epoch: RwSignal<usize>,
}

impl FormState {
    /// A store starting from `initial`, with everything derived from it.
    pub fn new(initial: RawConfig) -> Self {
        let raw = RwSignal::new(initial);
        let epoch = RwSignal::new(0);
        // Validated with the form's derived defaults filled in.
        let result = Memo::new(move |_| {
            raw.with(|r| with_derived_defaults(r).validate())
                .map(|config| Generated {
                    bundle: keyless_core::generate(&config),
                    config,
                })
        });
        let shown = keep_last_valid(epoch, result);
        FormState {
            raw,
            touched: RwSignal::new(Touched::default()),
            result,
            shown,
            step: RwSignal::new(Step::GitHub),
            visited: RwSignal::new(1),
            notice: RwSignal::new(String::new()),
            epoch,
        }
    }

    /// The values a new form starts with: a small, cheap, working service.
    pub fn initial_raw() -> RawConfig {
        RawConfig {
            region: "us-east-1".into(),
            branch: "main".into(),
            subject_format: "legacy".into(),
            cpu: "256".into(),
            memory: "512".into(),
            container_port: "8080".into(),
            desired_count: "1".into(),
            architecture: "X86_64".into(),
            log_retention_days: "30".into(),
            assign_public_ip: "true".into(),
            use_spot: "false".into(),
            ..RawConfig::default()
        }
    }

    /// The message to show next to `field`, if it has one and it is touched.
    pub fn shown_error(&self, field: Field) -> Option<String> {
        if !self.touched.with(|t| t.contains(field)) {
            return None;
        }
        self.error(field)
    }

    /// The current message of `field`, touched or not.
    pub fn error(&self, field: Field) -> Option<String> {
        self.result.with(|r| match r {
            Ok(_) => None,
            Err(errors) => errors.for_field(field).map(str::to_string),
        })
    }

    /// Shows `step`, and counts it and every step before it as visited.
    pub fn go_to(&self, step: Step) {
        self.step.set(step);
        let through = (2u16 << step.index()) - 1;
        self.visited.update(|v| *v |= through as u8);
    }

    /// Whether the user has been on `step`.
    pub fn was_visited(&self, step: Step) -> bool {
        self.visited.with(|v| v & (1 << step.index()) != 0)
    }

    /// Marks `field` as touched, so its error shows.
    pub fn touch(&self, field: Field) {
        if !self.touched.with_untracked(|t| t.contains(field)) {
            self.touched.update(|t| t.insert(field));
        }
    }

    /// Sets a scalar field from what the user typed.
    pub fn set(&self, field: Field, value: String) {
        // A repository URL showing a branch (`…/tree/release`) gives the branch too.
        let branch = (field == Field::GithubRepo)
            .then(|| keyless_core::config::branch_in_repository_url(&value))
            .flatten();
        self.raw.update(|r| {
            *r.scalar_mut(field) = value;
            if let Some(branch) = branch {
                r.branch = branch;
            }
        });
        self.touch(field);
    }
}

/// A set of fields, one bit per position in [`Field::ALL`] (a set type of its own
/// would be more code in the wasm than this whole struct).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Touched(u64);

const _: () = assert!(Field::ALL.len() <= 64, "Touched has one bit per field");

impl Touched {
    /// Every field.
    pub const ALL: Touched = Touched(u64::MAX);

    fn bit(field: Field) -> u64 {
        1 << field.index()
    }

    /// Whether `field` is in the set.
    pub fn contains(self, field: Field) -> bool {
        self.0 & Touched::bit(field) != 0
    }

    /// Adds `field`.
    pub fn insert(&mut self, field: Field) {
        self.0 |= Touched::bit(field);
    }
}

/// The latest `Ok` value of `source`, kept while it is an error, forgotten when
/// `epoch` changes (a reset). One memo: the epoch of its last run is kept beside it.
fn keep_last_valid<T, E>(epoch: RwSignal<usize>, source: Memo<Result<T, E>>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
    E: PartialEq + Send + Sync + 'static,
{
    let seen = AtomicUsize::new(0);
    Memo::new(move |previous: Option<&Option<T>>| {
        let now = epoch.get();
        let same_epoch = seen.swap(now, Ordering::Relaxed) == now;
        source.with(|r| match r {
            Ok(value) => Some(value.clone()),
            Err(_) => previous
                .filter(|_| same_epoch)
                .and_then(|value| value.clone()),
        })
    })
}

/// Fills what the form derives when left empty: the app name follows the repository.
fn with_derived_defaults(raw: &RawConfig) -> RawConfig {
    let mut effective = raw.clone();
    if effective.app_name.trim().is_empty() {
        effective.app_name = suggested_app_name(&raw.github_repo);
    }
    effective
}

/// An app name derived from the repository field: its last path part, lower-cased,
/// with every run of other characters turned into one hyphen.
pub fn suggested_app_name(repository: &str) -> String {
    let trimmed = repository.trim().trim_end_matches('/');
    let last = trimmed.rsplit(['/', ':']).next().unwrap_or_default();
    let last = last.strip_suffix(".git").unwrap_or(last);
    let mut name = String::new();
    for c in last.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-');
    let name = name.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
    name.chars()
        .take(32)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}
