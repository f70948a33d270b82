//! The cost estimate: what the deploy Keyless generates costs per month, line by
//! line, from the embedded AWS price table (`data/aws-prices.json`).
//!
//! Everything is a pure function of [`CostInputs`]: the task (region, size,
//! architecture, count, public IP, ephemeral storage, Spot discount), the load
//! balancer in front of it if any, plus a few usage assumptions with documented
//! defaults ([`Usage`]). Amounts are exact
//! fractions ([`Exact`]); they are rounded to cents only when shown, so the
//! total is the rounded exact sum, never a sum of rounded items.
//!
//! ```
//! use keyless_core::cost::{estimate, CostInputs};
//! let inputs = CostInputs::new("us-east-1", 256, 512).public_ip(false);
//! let bill = estimate(&inputs).unwrap();
//! assert_eq!(bill.fargate_compute().usd(), "$9.01");
//! ```
//!
//! Not included, because Keyless does not create them: NAT gateways, data
//! transfer out, Secrets Manager/SSM, support plans, taxes. No free tier is
//! subtracted.

pub mod exact;
/// The price table's code generator, run by `build.rs`; compiled here only for its tests.
#[cfg(test)]
mod price_source;
pub mod prices;
pub mod report;

use std::fmt;

pub use exact::Exact;
pub use prices::{prices, AlbPrices, PriceTable, RegionPrices, Source};

pub use crate::config::Architecture;
use crate::config::ValidConfig;
use crate::regions::{region_name, REGIONS};

/// Most tasks one ECS service runs (the default "tasks per service" quota).
pub const MAX_TASKS: u32 = 5_000;
/// Largest Fargate task: 16 vCPU.
pub const MAX_CPU_UNITS: u32 = 16_384;
/// Largest Fargate task memory: 120 GiB.
pub const MAX_MEMORY_MIB: u32 = 122_880;
/// Most hours in a month (31 days).
pub const MAX_HOURS_PER_MONTH: u32 = 744;
/// Most decimals accepted in a usage figure (and in hours).
pub const MAX_USAGE_DECIMALS: u32 = 4;
/// Most decimals accepted in the Spot discount percentage (e.g. `68.16`).
pub const MAX_SPOT_DECIMALS: u32 = 2;
/// Largest usage figure accepted, in GB (1 PB); only there to keep sums exact.
pub const MAX_USAGE_GB: u32 = 1_000_000;
/// Most images counted in ECR; only there to keep sums exact.
pub const MAX_IMAGES_KEPT: u32 = 10_000;
/// How many regions [`cheapest_regions`] is usually asked for.
pub const CHEAPEST_REGION_COUNT: usize = 5;
/// Fewest Availability Zones an Application Load Balancer runs in.
pub const MIN_LOAD_BALANCER_ZONES: u32 = 2;
/// Most Availability Zones counted for a load balancer (one per subnet, at most
/// the config's 16 subnets).
pub const MAX_LOAD_BALANCER_ZONES: u32 = 16;
/// Largest average LCU figure accepted; only there to keep sums exact.
pub const MAX_LOAD_BALANCER_LCUS: u32 = 100_000;
/// What one Load Balancer Capacity Unit is, as AWS defines it for an ALB (domain.md §8).
pub const LCU_DEFINITION: &str = "an LCU is the highest of 25 new connections/s, 3,000 active connections/min, 1 GB/h processed (IP targets) and 1,000 rule evaluations/s";

/// Usage the config does not say, with defaults a user should replace with their own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Usage {
    /// Hours each task runs per month. Default 730 (24/7, the month AWS prices use).
    pub hours_per_month: Exact,
    /// GB of logs the whole service sends to CloudWatch Logs per month (Standard
    /// class). Default 1 GB: about two requests a second, each logging one
    /// 200-byte line (2 × 200 B × 2.63 M s ≈ 1.05 GB). Measure yours with the
    /// log group's `IncomingBytes` metric.
    pub log_ingest_gb_month: Exact,
    /// GB of logs kept in CloudWatch Logs (billed per GB-month). Default 1 GB: a
    /// month of the default ingestion, i.e. about 30 days of retention. See
    /// [`Usage::log_storage_for_retention`]. AWS bills the compressed size, so
    /// this errs high.
    pub log_storage_gb: Exact,
    /// Size of one image in ECR in GB (compressed layers). Default 0.2 GB, a slim
    /// runtime image.
    pub image_size_gb: Exact,
    /// Images kept in the ECR repository. Default 10 (a lifecycle policy keeping
    /// the last 10). Images share layers, so `size × kept` errs high.
    pub images_kept: u32,
    /// Load Balancer Capacity Units the load balancer uses on average, if there
    /// is one ([`CostInputs::load_balancer`]). Default 1: light traffic. An LCU
    /// is the highest of 25 new connections/s, 3,000 active connections/min,
    /// 1 GB/h processed (IP targets) and 1,000 rule evaluations/s
    /// ([`LCU_DEFINITION`]); the load balancer's `ConsumedLCUs` metric shows yours.
    pub load_balancer_lcus: Exact,
}

impl Default for Usage {
    fn default() -> Usage {
        Usage {
            hours_per_month: Exact::from(prices().hours_per_month),
            log_ingest_gb_month: Exact::int(1),
            log_storage_gb: Exact::int(1),
            image_size_gb: Exact::ratio(2, 10),
            images_kept: 10,
            load_balancer_lcus: Exact::ONE,
        }
    }
}

impl Usage {
    /// GB of logs stored for a retention: `ingest × days × 24 / 730`, what the
    /// log group holds once it has run longer than the retention. A retention
    /// over a year counts one year (the bill after the first year; it keeps
    /// growing). Rounded to 4 decimals so it stays a valid usage figure.
    pub fn log_storage_for_retention(ingest_gb_month: Exact, retention_days: u32) -> Exact {
        let months = Exact::ratio(
            i128::from(retention_days.min(365)) * 24,
            i128::from(prices().hours_per_month),
        );
        let exact = ingest_gb_month * months;
        Exact::ratio(exact.round_to(MAX_USAGE_DECIMALS), 10_000)
    }
}

/// The internet-facing Application Load Balancer in front of the tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadBalancerInputs {
    /// Availability Zones it runs in: it holds a public IPv4 address in each
    /// (at least [`MIN_LOAD_BALANCER_ZONES`]).
    pub zones: u32,
    /// Whether it serves HTTPS with an ACM certificate (free: only stated).
    pub https: bool,
}

impl LoadBalancerInputs {
    /// The load balancer setup.sh creates for a config with `subnet_count`
    /// explicit subnets: in two default subnets of different zones with the
    /// default VPC (no subnets given), else in every subnet given, each counted
    /// as its own zone, so `max(2, subnet_count)` zones.
    pub fn for_subnets(subnet_count: usize, https: bool) -> LoadBalancerInputs {
        let given = u32::try_from(subnet_count).unwrap_or(u32::MAX);
        LoadBalancerInputs {
            zones: given.max(MIN_LOAD_BALANCER_ZONES),
            https,
        }
    }
}

/// The task counts autoscaling moves between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRange {
    /// Fewest tasks.
    pub min: u32,
    /// Most tasks.
    pub max: u32,
}

/// Everything the estimate depends on. Build with [`CostInputs::new`] and the
/// builder methods, or set the public fields directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostInputs {
    /// AWS region code, e.g. `"eu-west-1"`.
    pub region: String,
    /// Fargate CPU units per task (1024 = 1 vCPU).
    pub cpu_units: u32,
    /// Memory per task in MiB (1024 MiB = 1 GB as Fargate bills it).
    pub memory_mib: u32,
    /// CPU architecture.
    pub architecture: Architecture,
    /// Tasks the service keeps running (`desired_count`).
    pub task_count: u32,
    /// Whether each task gets a public IPv4 address (`assign_public_ip`).
    pub public_ip: bool,
    /// Ephemeral storage per task in GiB; the first 20 are included (billed per GB).
    pub ephemeral_storage_gib: u32,
    /// Fargate Spot discount off on-demand vCPU and memory, in percent: 0 means
    /// on demand. AWS publishes no fixed Spot price ("up to 70%", it floats), so
    /// any value above 0 makes the compute items an estimate.
    pub spot_discount_percent: Exact,
    /// The load balancer in front of the tasks, if any (`ingress: load_balancer`).
    pub load_balancer: Option<LoadBalancerInputs>,
    /// The autoscaling range, if the service scales on CPU. Only stated: the
    /// estimate prices `task_count`, the count each deploy starts from.
    pub autoscaling: Option<TaskRange>,
    /// Usage assumptions.
    pub usage: Usage,
}

impl CostInputs {
    /// One on-demand x86 task of this size in `region`, running 24/7 with a public
    /// IP (the default network: public subnets of the default VPC, no NAT gateway),
    /// 20 GiB ephemeral storage, no load balancer, no autoscaling and the default [`Usage`].
    pub fn new(region: impl Into<String>, cpu_units: u32, memory_mib: u32) -> CostInputs {
        CostInputs {
            region: region.into(),
            cpu_units,
            memory_mib,
            architecture: Architecture::X86_64,
            task_count: 1,
            public_ip: true,
            ephemeral_storage_gib: prices().global.ephemeral_storage.included_gb,
            spot_discount_percent: Exact::ZERO,
            load_balancer: None,
            autoscaling: None,
            usage: Usage::default(),
        }
    }

    /// With another region.
    pub fn region(mut self, region: impl Into<String>) -> CostInputs {
        self.region = region.into();
        self
    }

    /// With another architecture.
    pub fn architecture(mut self, architecture: Architecture) -> CostInputs {
        self.architecture = architecture;
        self
    }

    /// With `count` tasks.
    pub fn tasks(mut self, count: u32) -> CostInputs {
        self.task_count = count;
        self
    }

    /// With or without a public IPv4 address per task.
    pub fn public_ip(mut self, public_ip: bool) -> CostInputs {
        self.public_ip = public_ip;
        self
    }

    /// With `gib` GiB of ephemeral storage per task.
    pub fn ephemeral_storage_gib(mut self, gib: u32) -> CostInputs {
        self.ephemeral_storage_gib = gib;
        self
    }

    /// On Fargate Spot with an assumed discount (percent, e.g. `Exact::int(70)`).
    pub fn spot_discount_percent(mut self, percent: Exact) -> CostInputs {
        self.spot_discount_percent = percent;
        self
    }

    /// Behind an Application Load Balancer in `zones` Availability Zones, with
    /// HTTPS (a free ACM certificate) or not.
    pub fn load_balancer(mut self, zones: u32, https: bool) -> CostInputs {
        self.load_balancer = Some(LoadBalancerInputs { zones, https });
        self
    }

    /// Autoscaling between `min` and `max` tasks (the estimate still prices
    /// [`CostInputs::task_count`]).
    pub fn autoscaling(mut self, min: u32, max: u32) -> CostInputs {
        self.autoscaling = Some(TaskRange { min, max });
        self
    }

    /// With other usage assumptions.
    pub fn usage(mut self, usage: Usage) -> CostInputs {
        self.usage = usage;
        self
    }

    /// vCPU per task (`cpu_units / 1024`).
    pub fn vcpu(&self) -> Exact {
        Exact::ratio(i128::from(self.cpu_units), 1024)
    }

    /// Memory per task in GB (`memory_mib / 1024`).
    pub fn memory_gb(&self) -> Exact {
        Exact::ratio(i128::from(self.memory_mib), 1024)
    }

    /// Whether the Spot discount is set.
    pub fn is_spot(&self) -> bool {
        !self.spot_discount_percent.is_zero()
    }

    /// Checks the bounds the model needs (region aside): sizes within Fargate's,
    /// hours within a month, percentages within 0–100, usage figures short
    /// decimals. Within them the arithmetic is exact and cannot overflow.
    pub fn check(&self) -> Result<(), CostError> {
        let invalid =
            |field: &'static str, message: String| Err(CostError::Invalid { field, message });
        if !(1..=MAX_CPU_UNITS).contains(&self.cpu_units) {
            return invalid(
                "cpu_units",
                format!("CPU must be 1 to {MAX_CPU_UNITS} units (16 vCPU)"),
            );
        }
        if !(1..=MAX_MEMORY_MIB).contains(&self.memory_mib) {
            return invalid(
                "memory_mib",
                format!("memory must be 1 to {MAX_MEMORY_MIB} MiB (120 GB)"),
            );
        }
        if self.task_count > MAX_TASKS {
            return invalid(
                "task_count",
                format!("an ECS service runs at most {MAX_TASKS} tasks"),
            );
        }
        let max_storage = prices().global.ephemeral_storage.max_gb;
        if self.ephemeral_storage_gib > max_storage {
            return invalid(
                "ephemeral_storage_gib",
                format!("Fargate ephemeral storage is at most {max_storage} GiB"),
            );
        }
        check_decimal(
            "hours_per_month",
            self.usage.hours_per_month,
            MAX_USAGE_DECIMALS,
            MAX_HOURS_PER_MONTH,
        )?;
        check_decimal(
            "spot_discount_percent",
            self.spot_discount_percent,
            MAX_SPOT_DECIMALS,
            100,
        )?;
        for (field, value) in [
            ("log_ingest_gb_month", self.usage.log_ingest_gb_month),
            ("log_storage_gb", self.usage.log_storage_gb),
            ("image_size_gb", self.usage.image_size_gb),
        ] {
            check_decimal(field, value, MAX_USAGE_DECIMALS, MAX_USAGE_GB)?;
        }
        if self.usage.images_kept > MAX_IMAGES_KEPT {
            return invalid(
                "images_kept",
                format!("at most {MAX_IMAGES_KEPT} images can be counted"),
            );
        }
        check_decimal(
            "load_balancer_lcus",
            self.usage.load_balancer_lcus,
            MAX_USAGE_DECIMALS,
            MAX_LOAD_BALANCER_LCUS,
        )?;
        if let Some(lb) = self.load_balancer {
            if !(MIN_LOAD_BALANCER_ZONES..=MAX_LOAD_BALANCER_ZONES).contains(&lb.zones) {
                return invalid(
                    "load_balancer",
                    format!("an Application Load Balancer runs in {MIN_LOAD_BALANCER_ZONES} to {MAX_LOAD_BALANCER_ZONES} Availability Zones here"),
                );
            }
        }
        if let Some(range) = self.autoscaling {
            if range.min > range.max || range.max > MAX_TASKS {
                return invalid(
                    "autoscaling",
                    format!(
                        "the fewest tasks must not exceed the most, and the most is {MAX_TASKS}"
                    ),
                );
            }
        }
        Ok(())
    }
}

fn check_decimal(
    field: &'static str,
    value: Exact,
    places: u32,
    max: u32,
) -> Result<(), CostError> {
    if value.is_negative() || value > Exact::from(max) {
        return Err(CostError::Invalid {
            field,
            message: format!("must be between 0 and {max}"),
        });
    }
    if !value.has_at_most_decimals(places) {
        return Err(CostError::Invalid {
            field,
            message: format!("use at most {places} decimals"),
        });
    }
    Ok(())
}

/// Why no estimate could be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CostError {
    /// The price table has no prices for this region code.
    UnknownRegion(String),
    /// An input is outside the bounds [`CostInputs::check`] enforces.
    Invalid {
        /// The [`CostInputs`] / [`Usage`] field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for CostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CostError::UnknownRegion(code) => {
                write!(f, "the price table has no prices for region \"{code}\"")
            }
            CostError::Invalid { field, message } => write!(f, "{field}: {message}"),
        }
    }
}

impl std::error::Error for CostError {}

/// What a line item charges for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CostKind {
    /// Fargate vCPU-hours.
    FargateVcpu,
    /// Fargate memory GB-hours.
    FargateMemory,
    /// Ephemeral storage above the included 20 GB, GB-hours.
    EphemeralStorage,
    /// Public IPv4 address-hours (one address per task).
    PublicIpv4,
    /// Application Load Balancer hours (the whole month).
    LoadBalancerHours,
    /// Application Load Balancer LCU-hours (capacity used, an assumption).
    LoadBalancerCapacity,
    /// The load balancer's public IPv4 address-hours (one address per Availability Zone).
    LoadBalancerIpv4,
    /// CloudWatch Logs ingestion, GB.
    LogsIngestion,
    /// CloudWatch Logs storage, GB-months.
    LogsStorage,
    /// ECR image storage, GB-months.
    EcrStorage,
}

impl CostKind {
    /// Every kind, in bill order.
    pub const ALL: [CostKind; 10] = [
        CostKind::FargateVcpu,
        CostKind::FargateMemory,
        CostKind::EphemeralStorage,
        CostKind::PublicIpv4,
        CostKind::LoadBalancerHours,
        CostKind::LoadBalancerCapacity,
        CostKind::LoadBalancerIpv4,
        CostKind::LogsIngestion,
        CostKind::LogsStorage,
        CostKind::EcrStorage,
    ];

    /// The line item's name, e.g. `"Fargate vCPU"`.
    pub fn name(self) -> &'static str {
        match self {
            CostKind::FargateVcpu => "Fargate vCPU",
            CostKind::FargateMemory => "Fargate memory",
            CostKind::EphemeralStorage => "Extra ephemeral storage",
            CostKind::PublicIpv4 => "Public IPv4 address",
            CostKind::LoadBalancerHours => "Application Load Balancer",
            CostKind::LoadBalancerCapacity => "Load balancer capacity (LCU)",
            CostKind::LoadBalancerIpv4 => "Load balancer public IPv4",
            CostKind::LogsIngestion => "CloudWatch Logs ingestion",
            CostKind::LogsStorage => "CloudWatch Logs storage",
            CostKind::EcrStorage => "ECR storage",
        }
    }

    /// The unit of the quantity, e.g. `"vCPU-hour"`.
    pub fn unit(self) -> &'static str {
        match self {
            CostKind::FargateVcpu => "vCPU-hour",
            CostKind::FargateMemory | CostKind::EphemeralStorage => "GB-hour",
            CostKind::PublicIpv4 | CostKind::LoadBalancerIpv4 => "address-hour",
            CostKind::LoadBalancerHours => "ALB-hour",
            CostKind::LoadBalancerCapacity => "LCU-hour",
            CostKind::LogsIngestion => "GB",
            CostKind::LogsStorage | CostKind::EcrStorage => "GB-month",
        }
    }
}

/// One line of the bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineItem {
    /// What it charges for.
    pub kind: CostKind,
    /// Display name ([`CostKind::name`]).
    pub name: &'static str,
    /// How many units per month.
    pub quantity: Exact,
    /// The unit ([`CostKind::unit`]).
    pub unit: &'static str,
    /// USD per unit (after the Spot discount for Fargate vCPU and memory).
    pub unit_price: Exact,
    /// USD per month: `quantity × unit_price`, exact.
    pub monthly: Exact,
    /// Ids of the sources of `unit_price` (see [`PriceTable::sources`]).
    pub sources: Vec<&'static str>,
    /// True when the price is an estimate rather than a published rate (Spot).
    pub is_estimate: bool,
}

/// A line the bill would have but the price table has no price for in this region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unpriced {
    /// What it would charge for.
    pub kind: CostKind,
    /// How many units per month.
    pub quantity: Exact,
}

/// The monthly bill for one [`CostInputs`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostEstimate {
    /// The inputs it was computed from.
    pub inputs: CostInputs,
    /// The region's display name, e.g. `"US East (N. Virginia)"` (from
    /// [`crate::regions`], else the price table's).
    pub region_name: String,
    /// The lines with a non-zero quantity, in [`CostKind::ALL`] order.
    pub items: Vec<LineItem>,
    /// Lines left out because the region has no price for them (e.g. ECR in
    /// ap-southeast-6); when not empty, the total is incomplete.
    pub unpriced: Vec<Unpriced>,
    /// USD per month, the exact sum of `items`.
    pub total_monthly: Exact,
}

impl CostEstimate {
    /// USD per year: 12 × the monthly total.
    pub fn total_yearly(&self) -> Exact {
        self.total_monthly * Exact::int(12)
    }

    /// The line of this kind, if the bill has one.
    pub fn item(&self, kind: CostKind) -> Option<&LineItem> {
        self.items.iter().find(|i| i.kind == kind)
    }

    /// Monthly cost of one kind (zero if absent).
    pub fn monthly(&self, kind: CostKind) -> Exact {
        self.item(kind).map_or(Exact::ZERO, |i| i.monthly)
    }

    /// Fargate vCPU + memory per month: the figure blog posts quote.
    pub fn fargate_compute(&self) -> Exact {
        self.monthly(CostKind::FargateVcpu) + self.monthly(CostKind::FargateMemory)
    }

    /// Whether every line had a price.
    pub fn is_complete(&self) -> bool {
        self.unpriced.is_empty()
    }

    /// Whether any line is an estimate (Spot).
    pub fn is_estimate(&self) -> bool {
        self.items.iter().any(|i| i.is_estimate)
    }

    /// The sources the lines cite, in order of first citation.
    pub fn sources(&self) -> Vec<&'static Source> {
        let mut ids: Vec<&str> = Vec::new();
        for &id in self.items.iter().flat_map(|i| &i.sources) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids.iter().filter_map(|id| prices().source(id)).collect()
    }

    /// With autoscaling, the monthly total if the service ran its most tasks all
    /// month (everything else unchanged); `None` without autoscaling.
    pub fn total_monthly_at_max_tasks(&self) -> Option<Exact> {
        let range = self.inputs.autoscaling?;
        if range.max == self.inputs.task_count {
            return Some(self.total_monthly);
        }
        estimate(&self.inputs.clone().tasks(range.max))
            .ok()
            .map(|bill| bill.total_monthly)
    }

    /// The assumptions behind the figures, one sentence each, for people.
    pub fn assumptions(&self) -> Vec<String> {
        let i = &self.inputs;
        let table = prices();
        let tasks = if i.task_count == 1 {
            "1 task".to_string()
        } else {
            format!("{} tasks", i.task_count)
        };
        let mut lines = vec![
            format!(
                "{tasks} of {} vCPU and {} GB, Linux on {} ({}), in {}",
                i.vcpu(),
                i.memory_gb(),
                i.architecture.label(),
                i.architecture.ecs_name(),
                i.region
            ),
            format!(
                "{} hours per month per task (730 = running 24/7)",
                i.usage.hours_per_month
            ),
        ];
        if let Some(range) = i.autoscaling {
            let at_max = match self.total_monthly_at_max_tasks() {
                Some(total) if range.max != i.task_count => {
                    format!(" ({} tasks all month: {} a month)", range.max, total.usd())
                }
                _ => String::new(),
            };
            lines.push(format!(
                "Autoscaling between {} and {} tasks on CPU; priced at the starting count, {tasks}{at_max}",
                range.min, range.max
            ));
        }
        if i.is_spot() {
            lines.push(format!(
                "Fargate Spot at an assumed {}% off on-demand vCPU and memory: an estimate. AWS publishes no fixed Spot price (\"{}\", source {}); it floats, and tasks can be interrupted",
                i.spot_discount_percent,
                table.global.fargate_spot.wording,
                table.global.fargate_spot.src
            ));
        } else {
            lines.push("On-demand Fargate prices (no Spot)".into());
        }
        let included = table.global.ephemeral_storage.included_gb;
        lines.push(format!(
            "{} GiB ephemeral storage per task; the first {included} GB are included",
            i.ephemeral_storage_gib.max(included)
        ));
        lines.push(if i.public_ip {
            "One public IPv4 address per task, charged by the hour since 2024-02-01".into()
        } else {
            "No public IPv4 addresses (the tasks then need a NAT gateway or VPC endpoints to pull images; those are not priced here)".into()
        });
        if let Some(lb) = i.load_balancer {
            lines.push(format!(
                "One internet-facing Application Load Balancer, billed all {} hours of the month, at {} LCU on average (light traffic: replace with your own; its ConsumedLCUs metric shows it): {LCU_DEFINITION}",
                table.hours_per_month, i.usage.load_balancer_lcus
            ));
            lines.push(format!(
                "The load balancer holds one public IPv4 address per Availability Zone it runs in: {} addresses, each charged by the hour like the tasks' own",
                lb.zones
            ));
            if lb.https {
                lines.push(
                    "The ACM certificate is free: AWS Certificate Manager charges nothing for public certificates used with a load balancer".into(),
                );
            }
        }
        lines.push(format!(
            "{} GB of logs ingested per month (Standard class) and {} GB kept: replace with your own volume",
            i.usage.log_ingest_gb_month, i.usage.log_storage_gb
        ));
        lines.push(format!(
            "{} images of {} GB kept in ECR (shared layers are stored once, so this errs high)",
            i.usage.images_kept, i.usage.image_size_gb
        ));
        lines.push(if i.load_balancer.is_some() {
            "No free tier subtracted; NAT gateway, data transfer out and taxes not included (Keyless creates no NAT gateway)".into()
        } else {
            "No free tier subtracted; load balancer, NAT gateway, data transfer out and taxes not included (Keyless creates none of them)".into()
        });
        for gap in &self.unpriced {
            lines.push(format!(
                "{} is not priced: the price table has no {} price for {}; the total leaves it out",
                gap.kind.name(),
                gap.kind.name(),
                i.region
            ));
        }
        lines
    }
}

/// The monthly bill for `inputs`: every line with a non-zero quantity and the exact total.
pub fn estimate(inputs: &CostInputs) -> Result<CostEstimate, CostError> {
    inputs.check()?;
    let table = prices();
    let region = table
        .region(&inputs.region)
        .ok_or_else(|| CostError::UnknownRegion(inputs.region.clone()))?;

    let tasks = Exact::from(inputs.task_count);
    let task_hours = tasks * inputs.usage.hours_per_month;
    let rates = match inputs.architecture {
        Architecture::X86_64 => &region.x86,
        Architecture::Arm64 => &region.arm,
    };
    // Spot: the same rates times (100 − discount) / 100.
    let spot_factor = (Exact::int(100) - inputs.spot_discount_percent) * Exact::ratio(1, 100);
    let included = table.global.ephemeral_storage.included_gb;
    let extra_storage_gb = Exact::from(inputs.ephemeral_storage_gib.saturating_sub(included));

    let mut items = Vec::new();
    let mut unpriced = Vec::new();
    let mut line = |kind: CostKind, quantity: Exact, price: Option<(Exact, &'static str)>| {
        if quantity.is_zero() {
            return;
        }
        let Some((unit_price, src)) = price else {
            unpriced.push(Unpriced { kind, quantity });
            return;
        };
        let is_estimate =
            inputs.is_spot() && matches!(kind, CostKind::FargateVcpu | CostKind::FargateMemory);
        let mut sources = vec![src];
        if is_estimate {
            sources.push(table.global.fargate_spot.src);
        }
        items.push(LineItem {
            kind,
            name: kind.name(),
            quantity,
            unit: kind.unit(),
            unit_price,
            monthly: quantity * unit_price,
            sources,
            is_estimate,
        });
    };
    line(
        CostKind::FargateVcpu,
        task_hours * inputs.vcpu(),
        Some((rates.vcpu_hour.0 * spot_factor, rates.src)),
    );
    line(
        CostKind::FargateMemory,
        task_hours * inputs.memory_gb(),
        Some((rates.gb_hour.0 * spot_factor, rates.src)),
    );
    let storage = &region.ephemeral_storage_gb_hour;
    line(
        CostKind::EphemeralStorage,
        task_hours * extra_storage_gb,
        Some((storage.price.0, storage.src)),
    );
    let ip = &region.public_ipv4;
    line(
        CostKind::PublicIpv4,
        if inputs.public_ip {
            task_hours
        } else {
            Exact::ZERO
        },
        Some((ip.in_use_hour.0, ip.src)),
    );
    if let Some(lb) = inputs.load_balancer {
        // The load balancer bills the whole month, whatever hours the tasks run.
        let month = Exact::from(table.hours_per_month);
        let alb = region.alb.as_ref();
        line(
            CostKind::LoadBalancerHours,
            month,
            alb.map(|p| (p.hour.0, p.src)),
        );
        line(
            CostKind::LoadBalancerCapacity,
            month * inputs.usage.load_balancer_lcus,
            alb.map(|p| (p.lcu_hour.0, p.src)),
        );
        line(
            CostKind::LoadBalancerIpv4,
            month * Exact::from(lb.zones),
            Some((ip.in_use_hour.0, ip.src)),
        );
    }
    let logs = &region.cloudwatch_logs;
    line(
        CostKind::LogsIngestion,
        inputs.usage.log_ingest_gb_month,
        Some((logs.ingest_standard_gb.0, logs.src)),
    );
    line(
        CostKind::LogsStorage,
        inputs.usage.log_storage_gb,
        Some((logs.storage_gb_month.0, logs.src)),
    );
    line(
        CostKind::EcrStorage,
        inputs.usage.image_size_gb * Exact::from(inputs.usage.images_kept),
        region
            .ecr_storage_gb_month
            .as_ref()
            .map(|p| (p.price.0, p.src)),
    );

    let total_monthly = items.iter().map(|i| i.monthly).sum();
    Ok(CostEstimate {
        inputs: inputs.clone(),
        region_name: region_name(&inputs.region)
            .unwrap_or(region.location)
            .to_string(),
        items,
        unpriced,
        total_monthly,
    })
}

/// The same task on x86 and on ARM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchitectureComparison {
    /// On Linux x86_64.
    pub x86: CostEstimate,
    /// On Linux ARM64 (Graviton).
    pub arm: CostEstimate,
}

impl ArchitectureComparison {
    /// Monthly saving of ARM over x86 (negative if ARM were dearer).
    pub fn arm_saving_monthly(&self) -> Exact {
        self.x86.total_monthly - self.arm.total_monthly
    }
}

/// `inputs` priced on both architectures (everything else unchanged).
pub fn compare_architectures(inputs: &CostInputs) -> Result<ArchitectureComparison, CostError> {
    Ok(ArchitectureComparison {
        x86: estimate(&inputs.clone().architecture(Architecture::X86_64))?,
        arm: estimate(&inputs.clone().architecture(Architecture::Arm64))?,
    })
}

/// The same task on demand and on Fargate Spot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotComparison {
    /// On-demand prices.
    pub on_demand: CostEstimate,
    /// With the assumed Spot discount (an estimate).
    pub spot: CostEstimate,
}

impl SpotComparison {
    /// Estimated monthly saving of Spot over on demand.
    pub fn spot_saving_monthly(&self) -> Exact {
        self.on_demand.total_monthly - self.spot.total_monthly
    }
}

/// The Spot discount to assume when the user has not set one: AWS's advertised
/// maximum ("up to 70%"), in percent, read from the price table. An optimistic
/// bound, not a quote; the table's dated snapshots show 66–70%.
pub fn default_spot_discount_percent() -> Exact {
    prices().global.fargate_spot.max_discount_vs_on_demand.0 * Exact::int(100)
}

/// `inputs` priced on demand and with `spot_discount_percent` off vCPU and memory.
pub fn compare_spot(
    inputs: &CostInputs,
    spot_discount_percent: Exact,
) -> Result<SpotComparison, CostError> {
    Ok(SpotComparison {
        on_demand: estimate(&inputs.clone().spot_discount_percent(Exact::ZERO))?,
        spot: estimate(&inputs.clone().spot_discount_percent(spot_discount_percent))?,
    })
}

/// One region's total for a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionTotal {
    /// Region code.
    pub code: &'static str,
    /// Display name, e.g. `"Europe (Ireland)"`.
    pub name: &'static str,
    /// USD per month.
    pub total_monthly: Exact,
}

/// The `count` cheapest regions Keyless offers for exactly these inputs (region
/// ignored), cheapest first; ties go by region code. Regions whose estimate would
/// be incomplete (a price missing from the table) are left out rather than ranked
/// on a partial total.
pub fn cheapest_regions(inputs: &CostInputs, count: usize) -> Result<Vec<RegionTotal>, CostError> {
    inputs.check()?;
    let mut totals = Vec::new();
    for &(code, name) in REGIONS {
        let bill = match estimate(&inputs.clone().region(code)) {
            Ok(bill) => bill,
            Err(CostError::UnknownRegion(_)) => continue,
            Err(e) => return Err(e),
        };
        if bill.is_complete() {
            totals.push(RegionTotal {
                code,
                name,
                total_monthly: bill.total_monthly,
            });
        }
    }
    crate::sorted_map::sort_small_by_key(&mut totals, |t| (t.total_monthly, t.code));
    totals.truncate(count);
    Ok(totals)
}

impl From<&ValidConfig> for CostInputs {
    /// The estimate inputs of a validated config: its region, task size,
    /// architecture, desired count, public IP, ephemeral storage and Spot (at
    /// [`default_spot_discount_percent`]), its load balancer
    /// ([`LoadBalancerInputs::for_subnets`]) and autoscaling range, default usage
    /// with the logs kept for the config's retention
    /// ([`Usage::log_storage_for_retention`]).
    fn from(config: &ValidConfig) -> CostInputs {
        let architecture = config.architecture;
        let mut inputs = CostInputs::new(
            config.region.clone(),
            config.task_size.cpu(),
            config.task_size.memory(),
        )
        .architecture(architecture)
        .tasks(config.desired_count)
        .public_ip(config.assign_public_ip);
        if let Some(gib) = config.ephemeral_storage_gib {
            inputs.ephemeral_storage_gib = gib;
        }
        if config.use_spot {
            inputs.spot_discount_percent = default_spot_discount_percent();
        }
        if let Some(lb) = config.ingress.load_balancer() {
            inputs.load_balancer = Some(LoadBalancerInputs::for_subnets(
                config.subnets.len(),
                lb.tls.is_https(),
            ));
        }
        inputs.autoscaling = config.autoscaling.map(|a| TaskRange {
            min: a.min_count,
            max: a.max_count,
        });
        inputs.usage.log_storage_gb = Usage::log_storage_for_retention(
            inputs.usage.log_ingest_gb_month,
            config.log_retention_days,
        );
        inputs
    }
}
