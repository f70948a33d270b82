//! Keyless core: turns one validated config into every file of a zero-secret
//! GitHub Actions → AWS ECS Fargate deploy. No web dependencies: the web page
//! and the `keyless` command line are thin layers over [`generate`].
//!
//! Raw text ([`RawConfig`]) → one validation step ([`RawConfig::validate`]) →
//! [`ValidConfig`] → [`generate`] → [`Bundle`] (files and [`Finding`]s).
//! Every name and ARN comes from [`names::Names`].
#![warn(missing_docs)]

pub mod bundle;
pub mod cloudformation;
pub mod config;
pub mod cost;
pub mod ecs;
pub mod findings;
pub mod guide;
pub mod iam;
pub mod names;
pub mod ownership;
pub mod plan;
pub mod regions;
pub mod script;
pub mod sorted_map;
pub mod starter;
pub mod troubleshoot;
pub mod trust_check;
pub mod workflow;
pub mod yaml;
pub mod zip;

pub use bundle::{generate, Bundle, BundleFile};
pub use config::{ConfigErrors, Field, FieldError, RawConfig, ValidConfig};
pub use findings::{Finding, Severity};
