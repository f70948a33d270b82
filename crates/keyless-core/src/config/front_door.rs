//! How people reach the app (`ingress`): the task's own public IP, or an
//! Application Load Balancer with HTTPS on the user's domain; and the service's
//! optional CPU autoscaling. The rules of domain.md §8, checked before anything
//! is generated.

use super::rules::{cannot, printable, push_bad_chars, DESIRED_COUNT_MAX};
use super::{ConfigErrors, Field, RawConfig};

/// The front door of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ingress {
    /// Each task serves from its own public IP on the container port (the default).
    PublicIp,
    /// An internet-facing Application Load Balancer in front of the tasks.
    LoadBalancer(LoadBalancer),
}

/// The load balancer's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadBalancer {
    /// Where its HTTPS certificate comes from, if any.
    pub tls: Tls,
    /// The target group's health check path (default `/`).
    pub health_check_path: String,
}

/// The load balancer's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tls {
    /// No certificate: HTTP on port 80 only.
    None,
    /// Setup requests (or reuses) an ACM certificate for this domain, validated by DNS.
    RequestFor(String),
    /// An existing ACM certificate of the same account and region.
    Existing(String),
}

impl Ingress {
    /// The load balancer's settings, if there is one.
    pub fn load_balancer(&self) -> Option<&LoadBalancer> {
        match self {
            Ingress::PublicIp => None,
            Ingress::LoadBalancer(lb) => Some(lb),
        }
    }
}

impl Tls {
    /// The domain setup requests a certificate for, if it does.
    pub fn requested_domain(&self) -> Option<&str> {
        match self {
            Tls::RequestFor(domain) => Some(domain),
            _ => None,
        }
    }

    /// Whether the load balancer listens for HTTPS.
    pub fn is_https(&self) -> bool {
        !matches!(self, Tls::None)
    }
}

/// Target-tracking autoscaling on the service's average CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Autoscaling {
    /// Fewest tasks (at least 1: with none, there is no CPU to measure).
    pub min_count: u32,
    /// Most tasks.
    pub max_count: u32,
    /// The average CPU utilisation, in percent, the service is kept at.
    pub cpu_target_percent: u32,
}

/// The highest target the CPU policy takes: above it no headroom is left for a burst.
pub const CPU_TARGET_MAX: u32 = 90;
/// The lowest target: below it the service scales out at almost no load.
pub const CPU_TARGET_MIN: u32 = 10;
/// Load balancer and target group names have at most 32 characters (ELB).
pub const LOAD_BALANCER_NAME_MAX: usize = 32;

/// `public_ip` (or empty) or `load_balancer`.
pub fn parse_ingress_key(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "" | "public_ip" => Ok(false),
        "load_balancer" | "alb" => Ok(true),
        other => Err(format!(
            "Choose public_ip (each task's own address, no TLS) or load_balancer (an HTTPS load balancer): \"{}\" is not a front door",
            printable(other)
        )),
    }
}

/// A host name for the certificate and the URL: lowercased, a trailing dot
/// dropped; ASCII labels of letters, digits and inner hyphens; at least two
/// labels; at most 253 characters. Wildcards and IDNs are refused with the way out.
pub fn parse_domain_name(text: &str) -> Result<Option<String>, String> {
    let trimmed = text.trim();
    let name = trimmed
        .strip_suffix('.')
        .unwrap_or(trimmed)
        .to_ascii_lowercase();
    if name.is_empty() {
        return Ok(None);
    }
    let mut problems = Vec::new();
    if name.starts_with("*.") {
        problems.push(
            "be a wildcard, which names no one host (write the host the app answers on, e.g. app.example.com; an existing wildcard certificate goes in certificate_arn)"
                .to_string(),
        );
    }
    if !name.is_ascii() {
        problems.push(
            "be internationalised (ACM takes them in their ASCII form only: write it as xn--…, punycode)"
                .into(),
        );
    }
    push_bad_chars(&mut problems, &name, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '*')
    });
    if name.len() > 253 {
        problems.push(format!(
            "be longer than 253 characters (this has {})",
            name.len()
        ));
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        problems.push(
            "be a single label without a dot (write a host in a domain, e.g. app.example.com)"
                .into(),
        );
    }
    if labels.iter().any(|l| l.is_empty()) {
        problems.push("have an empty label (two dots in a row, or a leading dot)".into());
    }
    if labels.iter().any(|l| l.len() > 63) {
        problems.push("have a label (the text between dots) longer than 63 characters".into());
    }
    if labels
        .iter()
        .any(|l| l.starts_with('-') || l.ends_with('-'))
    {
        problems.push("have a label that starts or ends with '-'".into());
    }
    if problems.is_empty() {
        Ok(Some(name))
    } else {
        Err(format!(
            "{} (\"{}\"). ACM issues certificates for host names like app.example.com",
            cannot("Domain names for a certificate", &problems),
            printable(trimmed),
        ))
    }
}

/// An ACM certificate ARN of the deploy account and region:
/// `arn:aws:acm:REGION:ACCOUNT:certificate/ID`.
pub fn parse_certificate_arn(
    text: &str,
    region: Option<&str>,
    account: Option<&str>,
) -> Result<Option<String>, String> {
    let arn = text.trim();
    if arn.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let shape = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-…";
    let [arn_word, partition, service, arn_region, arn_account, resource] = parts[..] else {
        return Err(format!(
            "Paste the certificate's ARN, like {shape} (\"{}\" is not an ARN)",
            printable(arn)
        ));
    };
    if arn_word != "arn" || partition != "aws" || service != "acm" {
        return Err(format!(
            "Paste an ACM certificate ARN, like {shape} (\"{}\" is not one)",
            printable(arn)
        ));
    }
    let id = resource.strip_prefix("certificate/").unwrap_or("");
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(format!(
            "End the ARN in certificate/ID, like {shape} (\"{}\" does not)",
            printable(arn)
        ));
    }
    if let Some(region) = region {
        if arn_region != region {
            return Err(format!(
                "Request or import a certificate in {region}: this one is in {}, and a load balancer can use only certificates of its own region",
                printable(arn_region)
            ));
        }
    }
    if let Some(account) = account {
        if arn_account != account {
            return Err(format!(
                "Use a certificate of account {account}, the account the app deploys to: this one belongs to account {}",
                printable(arn_account)
            ));
        }
    }
    Ok(Some(arn.to_string()))
}

/// The target group's health check path: `/` by default; starts with `/`, at
/// most 1024 characters, URL characters only (a query string is fine).
pub fn parse_health_check_path(text: &str) -> Result<Option<String>, String> {
    let path = text.trim();
    if path.is_empty() {
        return Ok(None);
    }
    let mut problems: Vec<String> = Vec::new();
    if path.len() > 1024 {
        problems.push("be longer than 1024 characters".into());
    }
    if path.contains(' ') {
        problems.push("contain a space (write it as %20)".into());
    }
    push_bad_chars(&mut problems, path, |c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '/' | '-'
                    | '.'
                    | '_'
                    | '~'
                    | '%'
                    | '?'
                    | '='
                    | '&'
                    | ':'
                    | '@'
                    | '+'
                    | ','
                    | ';'
                    | '!'
                    | ' '
            )
    });
    let mut sentences = Vec::new();
    if !path.starts_with('/') {
        sentences.push("Start health check paths with '/'".to_string());
    }
    if !problems.is_empty() {
        let subject = if sentences.is_empty() {
            "Health check paths"
        } else {
            "They"
        };
        sentences.push(cannot(subject, &problems));
    }
    if sentences.is_empty() {
        Ok(Some(path.to_string()))
    } else {
        Err(format!(
            "{} (\"{}\"). The load balancer requests a path like /health or /status?full=1",
            sentences.join(". "),
            printable(path),
        ))
    }
}

/// An optional whole number of tasks for autoscaling.
pub fn parse_count(text: &str, what: &str) -> Result<Option<u32>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u32>() {
        Ok(n) if n <= DESIRED_COUNT_MAX => Ok(Some(n)),
        Ok(_) => Err(format!(
            "Choose a smaller {what}: ECS runs at most {DESIRED_COUNT_MAX} tasks per service by default"
        )),
        Err(_) => Err(format!(
            "Write the task count as a whole number, e.g. 2 (\"{}\" is not one)",
            printable(t)
        )),
    }
}

/// An optional CPU target in percent (`60` or `60%`), from [`CPU_TARGET_MIN`] to [`CPU_TARGET_MAX`].
pub fn parse_cpu_target(text: &str) -> Result<Option<u32>, String> {
    let t = text.trim();
    let number = t.strip_suffix('%').unwrap_or(t).trim();
    if number.is_empty() {
        return Ok(None);
    }
    match number.parse::<u32>() {
        Ok(n) if (CPU_TARGET_MIN..=CPU_TARGET_MAX).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "Write the CPU target as a percentage from {CPU_TARGET_MIN} to {CPU_TARGET_MAX}, e.g. 60 (\"{}\" is not one)",
            printable(t)
        )),
    }
}

/// What the front door needs from the rest of the config, once validated.
pub(super) struct Context<'a> {
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
    pub app_name: Option<&'a str>,
    pub desired_count: Option<u32>,
    pub subnets: Option<&'a [String]>,
    pub security_groups: Option<&'a [String]>,
}

impl RawConfig {
    /// The front door and autoscaling, with every combination rule: load
    /// balancer settings only with `load_balancer`, a domain or a certificate
    /// (not both), two subnets or more, no given security groups, a name the load
    /// balancer can take; autoscaling's three fields together, with
    /// `1 <= min_count <= desired_count <= max_count`.
    pub(super) fn validate_front_door(
        &self,
        e: &mut ConfigErrors,
        context: &Context<'_>,
    ) -> (Option<Ingress>, Option<Option<Autoscaling>>) {
        let load_balanced = e.check(Field::Ingress, parse_ingress_key(&self.ingress));
        let domain = e.check(Field::DomainName, parse_domain_name(&self.domain_name));
        let certificate = e.check(
            Field::CertificateArn,
            parse_certificate_arn(&self.certificate_arn, context.region, context.account),
        );
        let path = e.check(
            Field::HealthCheckPath,
            parse_health_check_path(&self.health_check_path),
        );
        let ingress = match load_balanced {
            Some(false) => {
                for (field, what, given) in [
                    (Field::DomainName, "a domain name", &self.domain_name),
                    (
                        Field::CertificateArn,
                        "a certificate",
                        &self.certificate_arn,
                    ),
                    (
                        Field::HealthCheckPath,
                        "a health check path",
                        &self.health_check_path,
                    ),
                ] {
                    if !given.trim().is_empty() {
                        e.push(
                            field,
                            format!("Choose the load balancer (ingress load_balancer), or clear this: only a load balancer uses {what}"),
                        );
                    }
                }
                Some(Ingress::PublicIp)
            }
            Some(true) => self.check_load_balancer(e, context, domain, certificate, path),
            None => None,
        };
        (ingress, self.validate_autoscaling(e, context.desired_count))
    }

    fn check_load_balancer(
        &self,
        e: &mut ConfigErrors,
        context: &Context<'_>,
        domain: Option<Option<String>>,
        certificate: Option<Option<String>>,
        path: Option<Option<String>>,
    ) -> Option<Ingress> {
        if let Some(app) = context.app_name {
            if app.len() > LOAD_BALANCER_NAME_MAX || app.starts_with("internal-") {
                e.push(
                    Field::AppName,
                    format!("Shorten the app name to at most {LOAD_BALANCER_NAME_MAX} characters, not starting with internal-: with a load balancer it also names the load balancer and its target group"),
                );
            }
        }
        if context.subnets.is_some_and(|s| s.len() == 1) {
            e.push(
                Field::Subnets,
                "Add a second subnet, or leave the list empty for the default VPC's: a load balancer needs at least two subnets in different Availability Zones",
            );
        }
        if context.security_groups.is_some_and(|g| !g.is_empty()) {
            e.push(
                Field::SecurityGroups,
                "Leave this empty: with a load balancer Keyless creates the service's security group, so that only the load balancer reaches the container port",
            );
        }
        let tls = match (domain?, certificate?) {
            (Some(_), Some(_)) => {
                e.push(
                    Field::CertificateArn,
                    "Give either a domain name (setup requests its certificate) or an existing certificate, not both",
                );
                return None;
            }
            (Some(domain), None) => Tls::RequestFor(domain),
            (None, Some(arn)) => Tls::Existing(arn),
            (None, None) => Tls::None,
        };
        Some(Ingress::LoadBalancer(LoadBalancer {
            tls,
            health_check_path: path?.unwrap_or_else(|| "/".into()),
        }))
    }

    fn validate_autoscaling(
        &self,
        e: &mut ConfigErrors,
        desired_count: Option<u32>,
    ) -> Option<Option<Autoscaling>> {
        let min = e.check(Field::MinCount, parse_count(&self.min_count, "minimum"));
        let max = e.check(Field::MaxCount, parse_count(&self.max_count, "maximum"));
        let target = e.check(
            Field::CpuTargetPercent,
            parse_cpu_target(&self.cpu_target_percent),
        );
        let (min, max, target) = (min?, max?, target?);
        let (min_count, max_count, cpu_target_percent) = match (min, max, target) {
            (None, None, None) => return Some(None),
            (Some(min), Some(max), Some(target)) => (min, max, target),
            _ => {
                for (field, value) in [
                    (Field::MinCount, min.is_some()),
                    (Field::MaxCount, max.is_some()),
                    (Field::CpuTargetPercent, target.is_some()),
                ] {
                    if !value {
                        e.push(field, "Fill this in, or clear the other two: autoscaling needs the fewest tasks, the most tasks and the CPU target together");
                    }
                }
                return None;
            }
        };
        let mut ok = true;
        if min_count == 0 {
            e.push(Field::MinCount, "Keep at least 1 task: with none there is no CPU to measure, so autoscaling could never start one");
            ok = false;
        } else if min_count > max_count {
            e.push(
                Field::MaxCount,
                format!("Raise the most tasks to at least the fewest ({min_count}): {max_count} is below it"),
            );
            ok = false;
        }
        if let Some(desired) = desired_count {
            if ok && !(min_count..=max_count).contains(&desired) {
                e.push(
                    Field::DesiredCount,
                    format!("Start with a count from {min_count} to {max_count}: autoscaling keeps the service in that range"),
                );
                ok = false;
            }
        }
        ok.then_some(Some(Autoscaling {
            min_count,
            max_count,
            cpu_target_percent,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_are_normalised_or_refused_with_the_way_out() {
        assert_eq!(
            parse_domain_name(" App.Example.COM. ").unwrap().as_deref(),
            Some("app.example.com")
        );
        assert_eq!(parse_domain_name("").unwrap(), None);
        for (bad, says) in [
            ("*.example.com", "wildcard"),
            ("bücher.example", "punycode"),
            ("localhost", "without a dot"),
            ("a..example.com", "empty label"),
            ("-a.example.com", "starts or ends"),
            ("app.example.com; rm -rf /", "a space"),
            ("$(id).example.com", "'$'"),
        ] {
            let message = parse_domain_name(bad).unwrap_err();
            assert!(message.contains(says), "{bad}: {message}");
        }
        let long = format!("{}.com", vec!["a".repeat(63); 4].join("."));
        assert!(parse_domain_name(&long).unwrap_err().contains("253"));
    }

    #[test]
    fn certificate_arns_must_be_of_the_same_account_and_region() {
        let arn =
            "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666";
        let ok = parse_certificate_arn(arn, Some("us-east-1"), Some("123456789012"));
        assert_eq!(ok.unwrap().as_deref(), Some(arn));
        let other_region = parse_certificate_arn(arn, Some("eu-west-1"), Some("123456789012"));
        assert!(other_region.unwrap_err().contains("eu-west-1"));
        let other_account = parse_certificate_arn(arn, Some("us-east-1"), Some("210987654321"));
        assert!(other_account.unwrap_err().contains("210987654321"));
        for bad in [
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:acm:us-east-1:123456789012:certificate/",
            "certificate/abc",
            "arn:aws:acm:us-east-1:123456789012:certificate/ab'c",
        ] {
            assert!(
                parse_certificate_arn(bad, None, None).is_err(),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn health_check_paths_take_url_characters_only() {
        assert_eq!(
            parse_health_check_path("/status?full=1&x=%20")
                .unwrap()
                .as_deref(),
            Some("/status?full=1&x=%20")
        );
        for (bad, says) in [
            ("health", "Start health check paths with '/'"),
            ("/my health", "%20"),
            ("/$(id)", "'$'"),
            ("/x'y", "'''"),
            ("/x\"y", "'\"'"),
        ] {
            let message = parse_health_check_path(bad).unwrap_err();
            assert!(message.contains(says), "{bad}: {message}");
        }
    }

    #[test]
    fn cpu_targets_and_counts() {
        assert_eq!(parse_cpu_target("60 %").unwrap(), Some(60));
        assert!(parse_cpu_target("95").is_err());
        assert!(parse_cpu_target("5").is_err());
        assert_eq!(parse_count("3", "minimum").unwrap(), Some(3));
        assert!(parse_count("-1", "minimum").is_err());
        assert!(parse_ingress_key("load-balancer").unwrap());
        assert!(!parse_ingress_key("").unwrap());
        assert!(parse_ingress_key("nlb").is_err());
    }

    fn load_balanced() -> RawConfig {
        RawConfig {
            ingress: "load_balancer".into(),
            domain_name: "App.Example.com.".into(),
            ..RawConfig::example()
        }
    }

    fn error(raw: RawConfig, field: Field) -> String {
        raw.validate()
            .unwrap_err()
            .for_field(field)
            .unwrap_or_else(|| panic!("no error for {field}"))
            .to_string()
    }

    #[test]
    fn a_load_balanced_config_round_trips_through_keyless_json() {
        let valid = load_balanced().validate().unwrap();
        let lb = valid.ingress.load_balancer().unwrap();
        assert_eq!(lb.tls, Tls::RequestFor("app.example.com".into()));
        assert_eq!(lb.health_check_path, "/");
        let again = crate::config::parse_config_json(&valid.to_json()).unwrap();
        assert_eq!(again, valid);
    }

    #[test]
    fn a_config_without_the_new_fields_writes_none_of_them() {
        let json = RawConfig::example().validate().unwrap().to_json();
        for key in [
            "ingress",
            "domain_name",
            "certificate_arn",
            "health_check_path",
            "min_count",
            "max_count",
            "cpu_target_percent",
        ] {
            assert!(!json.contains(&format!("\"{key}\"")), "{key} in {json}");
        }
    }

    #[test]
    fn invalid_combinations_are_reported_on_the_field() {
        let domain_without_lb = RawConfig {
            ingress: "public_ip".into(),
            ..load_balanced()
        };
        assert!(error(domain_without_lb, Field::DomainName).contains("only a load balancer"));
        let both = RawConfig {
            certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123".into(),
            ..load_balanced()
        };
        assert!(error(both, Field::CertificateArn).contains("not both"));
        let other_region = RawConfig {
            domain_name: String::new(),
            certificate_arn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123".into(),
            ..load_balanced()
        };
        assert!(error(other_region, Field::CertificateArn).contains("its own region"));
        let one_subnet = RawConfig {
            subnets: vec!["subnet-0123456789abcdef0".into()],
            ..load_balanced()
        };
        assert!(error(one_subnet, Field::Subnets).contains("two subnets"));
        let own_groups = RawConfig {
            security_groups: vec!["sg-0123456789abcdef0".into()],
            ..load_balanced()
        };
        assert!(error(own_groups, Field::SecurityGroups).contains("Leave this empty"));
        let long_name = RawConfig {
            app_name: "a".repeat(33),
            ..load_balanced()
        };
        assert!(error(long_name, Field::AppName).contains("32"));
    }

    #[test]
    fn autoscaling_fields_go_together_and_in_order() {
        let scaled = |min: &str, max: &str, target: &str, desired: &str| RawConfig {
            min_count: min.into(),
            max_count: max.into(),
            cpu_target_percent: target.into(),
            desired_count: desired.into(),
            ..RawConfig::example()
        };
        let valid = scaled("1", "4", "60", "2").validate().unwrap();
        assert_eq!(
            valid.autoscaling,
            Some(Autoscaling {
                min_count: 1,
                max_count: 4,
                cpu_target_percent: 60
            })
        );
        assert!(error(scaled("3", "2", "60", "2"), Field::MaxCount).contains("below"));
        assert!(error(scaled("0", "2", "60", "1"), Field::MinCount).contains("at least 1"));
        assert!(error(scaled("2", "4", "60", "1"), Field::DesiredCount).contains("2 to 4"));
        assert!(error(scaled("1", "", "60", "1"), Field::MaxCount).contains("together"));
    }
}
