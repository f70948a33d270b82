//! "How people reach your app": each task's own public IP, or a load balancer
//! (with what it adds to the monthly bill, live), and the load balancer's settings.

use keyless_core::config::{Ingress, LoadBalancer, Tls};
use keyless_core::cost::{estimate, CostInputs, Exact};
use keyless_core::{Field, RawConfig, ValidConfig};
use leptos::prelude::*;

use super::field::{RadioField, TextField};
use crate::state::FormState;

/// The `ingress` value of the load balancer choice.
pub const LOAD_BALANCER: &str = "load_balancer";

/// Whether `raw` asks for the load balancer, in any spelling `keyless.json` accepts.
pub fn load_balancer_chosen(raw: &RawConfig) -> bool {
    canonical_ingress(&raw.ingress) == LOAD_BALANCER
}

/// `ingress` as the radio buttons spell it: `load-balancer`, `ALB` … become
/// `load_balancer`, `Public-IP` becomes `public_ip`; anything else is kept as typed
/// (its error is shown on the field).
pub fn canonical_ingress(text: &str) -> String {
    match text.trim().to_ascii_lowercase().as_str() {
        "load_balancer" | "load-balancer" | "alb" => LOAD_BALANCER,
        "public_ip" | "public-ip" => "public_ip",
        _ => text,
    }
    .to_string()
}

/// What the load balancer adds to the estimate of `config` a month: the core's
/// estimate of the config with a load balancer minus that of the same config
/// without (its own load balancer settings if it has them, else HTTP on `/`).
pub fn load_balancer_difference(config: &ValidConfig) -> Option<Exact> {
    let mut variant = config.clone();
    if variant.ingress == Ingress::PublicIp {
        variant.ingress = Ingress::LoadBalancer(LoadBalancer {
            tls: Tls::None,
            health_check_path: "/".into(),
        });
    }
    let with_load_balancer = estimate(&CostInputs::from(&variant)).ok()?;
    variant.ingress = Ingress::PublicIp;
    let without = estimate(&CostInputs::from(&variant)).ok()?;
    Some(with_load_balancer.total_monthly - without.total_monthly)
}

/// The note after the load balancer choice, e.g. `+$29.57/month in us-east-1`,
/// priced on the last valid config (empty before there is one).
fn cost_note(state: FormState, value: &'static str) -> String {
    if value != LOAD_BALANCER {
        return String::new();
    }
    state.shown.with(|shown| {
        let Some(g) = shown else {
            return String::new();
        };
        let Some(difference) = load_balancer_difference(&g.config) else {
            return String::new();
        };
        let sign = if difference.is_negative() { "" } else { "+" };
        format!("{sign}{}/month in {}", difference.usd(), g.config.region)
    })
}

/// The choice and, while the load balancer is chosen or one of them holds a value
/// (so an error on an imported file stays next to its field), its settings.
#[component]
pub fn FrontDoor(
    /// The store the fields read and write.
    state: FormState,
) -> impl IntoView {
    let settings_shown = move || {
        state.raw.with(|r| {
            load_balancer_chosen(r)
                || [
                    Field::DomainName,
                    Field::CertificateArn,
                    Field::HealthCheckPath,
                ]
                .into_iter()
                .any(|f| !r.scalar(f).trim().is_empty())
        })
    };
    view! {
        <RadioField state field=Field::Ingress legend="How people reach your app" default="public_ip"
            choices=&[("public_ip", "Public IP"), ("load_balancer", "Load balancer")]
            descriptions=&[
                "Each task answers on its own address, which changes whenever the task is replaced: plain HTTP on the container port. No load balancer to pay for.",
                "A stable HTTPS address on your domain; only the load balancer reaches the tasks.",
            ]
            note=cost_note />
        <div class="load-balancer" hidden=move || !settings_shown()>
            <TextField state field=Field::DomainName label="Domain name" placeholder="app.example.com"
                hint="Setup requests a free ACM certificate for it and prints the DNS record to add where your domain's DNS is hosted. Leave empty (and no certificate) for plain HTTP on the load balancer's own address" />
            <TextField state field=Field::CertificateArn label="Existing certificate ARN (optional)"
                placeholder="arn:aws:acm:us-east-1:123456789012:certificate/…"
                hint="Instead of the domain name: an ACM certificate of the same account and region" />
            <TextField state field=Field::HealthCheckPath label="Health check path (optional)" placeholder="/"
                hint="The load balancer requests it on each task and sends traffic only to the tasks that answer" />
        </div>
    }
}
