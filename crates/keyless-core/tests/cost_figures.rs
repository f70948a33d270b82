//! The cost model pinned to figures computed by hand from
//! `data/aws-prices.json` (the arithmetic is in the comments), not from the code
//! under test. Default usage (see `Usage`): 730 h/month, 1 GB of logs ingested,
//! 1 GB stored, 10 images × 0.2 GB = 2 GB in ECR.

use keyless_core::cost::{
    cheapest_regions, compare_architectures, compare_spot, default_spot_discount_percent, estimate,
    Architecture, CostError, CostInputs, CostKind, Exact, LoadBalancerInputs, Usage,
    CHEAPEST_REGION_COUNT, LCU_DEFINITION, MAX_CPU_UNITS, MAX_HOURS_PER_MONTH, MAX_IMAGES_KEPT,
    MAX_LOAD_BALANCER_LCUS, MAX_LOAD_BALANCER_ZONES, MAX_MEMORY_MIB, MAX_TASKS, MAX_USAGE_GB,
};

fn x(text: &str) -> Exact {
    Exact::parse(text).unwrap()
}

fn monthly(inputs: &CostInputs, kind: CostKind) -> Exact {
    estimate(inputs).unwrap().monthly(kind)
}

#[test]
fn quarter_vcpu_x86_us_east_1_is_9_01_and_12_66_with_a_public_ip() {
    // us-east-1 x86: 0.04048 per vCPU-hour, 0.004445 per GB-hour, IPv4 0.005 per hour.
    // vCPU:   0.25 × 730 = 182.5 vCPU-h × 0.04048 = 7.3876
    // memory: 0.5 × 730  = 365 GB-h     × 0.004445 = 1.622425
    // Fargate = 9.010025 → $9.01
    // IPv4:   730 h × 0.005 = 3.65 → 12.660025 → $12.66
    let inputs = CostInputs::new("us-east-1", 256, 512);
    let bill = estimate(&inputs).unwrap();
    let vcpu = bill.item(CostKind::FargateVcpu).unwrap();
    assert_eq!(vcpu.quantity, x("182.5"));
    assert_eq!(vcpu.unit_price, x("0.04048"));
    assert_eq!(vcpu.monthly, x("7.3876"));
    assert_eq!(vcpu.sources, ["S1"]);
    let memory = bill.item(CostKind::FargateMemory).unwrap();
    assert_eq!(memory.quantity, x("365"));
    assert_eq!(memory.monthly, x("1.622425"));
    assert_eq!(bill.fargate_compute(), x("9.010025"));
    assert_eq!(bill.fargate_compute().usd(), "$9.01");
    let ip = bill.item(CostKind::PublicIpv4).unwrap();
    assert_eq!((ip.quantity, ip.monthly), (x("730"), x("3.65")));
    assert_eq!(ip.sources, ["S3"]);
    assert_eq!(
        (bill.fargate_compute() + ip.monthly).usd(),
        "$12.66",
        "Fargate plus public IP"
    );
    // Whole bill: 12.660025 + logs 1 × 0.5 + 1 × 0.03 + ECR 2 × 0.10 = 13.390025 → $13.39;
    // a year: 160.6803 → $160.68.
    assert_eq!(bill.total_monthly, x("13.390025"));
    assert_eq!(bill.total_monthly.usd(), "$13.39");
    assert_eq!(bill.total_yearly().usd(), "$160.68");
    assert!(bill.is_complete() && !bill.is_estimate());
    assert!(
        bill.item(CostKind::EphemeralStorage).is_none(),
        "20 GiB is included"
    );

    // Without a public IP the line disappears: the Fargate-only article figure.
    let no_ip = estimate(&inputs.clone().public_ip(false)).unwrap();
    assert!(no_ip.item(CostKind::PublicIpv4).is_none());
    assert_eq!(no_ip.total_monthly, x("9.740025"));
}

#[test]
fn same_task_on_arm_is_7_21() {
    // us-east-1 ARM: 0.03238 per vCPU-hour, 0.00356 per GB-hour.
    // 182.5 × 0.03238 = 5.90935; 365 × 0.00356 = 1.2994; sum 7.20875 → $7.21
    // (half a cent rounds up: 0.00875 ≥ 0.005).
    let inputs = CostInputs::new("us-east-1", 256, 512).architecture(Architecture::Arm64);
    assert_eq!(monthly(&inputs, CostKind::FargateVcpu), x("5.90935"));
    assert_eq!(monthly(&inputs, CostKind::FargateMemory), x("1.2994"));
    let bill = estimate(&inputs).unwrap();
    assert_eq!(bill.fargate_compute().usd(), "$7.21");
    // With the IP: 7.20875 + 3.65 = 10.85875 → $10.86.
    assert_eq!(
        (bill.fargate_compute() + bill.monthly(CostKind::PublicIpv4)).usd(),
        "$10.86"
    );
}

#[test]
fn three_tasks_of_one_vcpu_in_eu_west_1() {
    // eu-west-1 x86: 0.04048 / 0.004445; IPv4 0.005; logs 0.57 ingest, 0.03 stored; ECR 0.10.
    // vCPU-h: 3 × 1 × 730 = 2190 × 0.04048 = 88.6512
    // GB-h:   3 × 2 × 730 = 4380 × 0.004445 = 19.4691
    // IPv4:   3 × 730 = 2190 × 0.005 = 10.95
    // logs 0.57 + 0.03, ECR 2 × 0.10 = 0.2
    // total 88.6512 + 19.4691 + 10.95 + 0.57 + 0.03 + 0.2 = 119.8703 → $119.87
    let inputs = CostInputs::new("eu-west-1", 1024, 2048).tasks(3);
    let bill = estimate(&inputs).unwrap();
    assert_eq!(bill.monthly(CostKind::FargateVcpu), x("88.6512"));
    assert_eq!(bill.monthly(CostKind::FargateMemory), x("19.4691"));
    assert_eq!(bill.item(CostKind::PublicIpv4).unwrap().quantity, x("2190"));
    assert_eq!(bill.monthly(CostKind::PublicIpv4), x("10.95"));
    assert_eq!(bill.monthly(CostKind::LogsIngestion), x("0.57"));
    assert_eq!(bill.total_monthly, x("119.8703"));
    assert_eq!(bill.total_monthly.usd(), "$119.87");
    assert_eq!(bill.region_name, "Europe (Ireland)");
}

#[test]
fn arm_in_sydney_with_fifty_gib_of_ephemeral_storage() {
    // ap-southeast-2 ARM: 0.03885 / 0.00426; ephemeral 0.000133 per GB-hour above 20;
    // logs 0.67 / 0.033; ECR 0.10. No public IP.
    // vCPU-h: 0.5 × 730 = 365 × 0.03885 = 14.18025
    // GB-h:   1 × 730 = 730 × 0.00426 = 3.1098
    // extra storage: (50 − 20) × 730 = 21900 GB-h × 0.000133 = 2.9127
    // total 14.18025 + 3.1098 + 2.9127 + 0.67 + 0.033 + 0.2 = 21.10575 → $21.11
    let inputs = CostInputs::new("ap-southeast-2", 512, 1024)
        .architecture(Architecture::Arm64)
        .public_ip(false)
        .ephemeral_storage_gib(50);
    let bill = estimate(&inputs).unwrap();
    assert_eq!(bill.monthly(CostKind::FargateVcpu), x("14.18025"));
    assert_eq!(bill.monthly(CostKind::FargateMemory), x("3.1098"));
    let storage = bill.item(CostKind::EphemeralStorage).unwrap();
    assert_eq!(storage.quantity, x("21900"));
    assert_eq!(storage.unit_price, x("0.000133"));
    assert_eq!(storage.monthly, x("2.9127"));
    assert_eq!(storage.unit, "GB-hour");
    assert_eq!(bill.total_monthly, x("21.10575"));
    assert_eq!(bill.total_monthly.usd(), "$21.11");
}

#[test]
fn two_large_tasks_in_sao_paulo_on_demand_and_on_spot() {
    // sa-east-1 x86: 0.0696 / 0.0076; IPv4 0.005; logs 0.9 / 0.0408; ECR 0.10.
    // vCPU-h: 2 × 2 × 730 = 2920; GB-h: 2 × 4 × 730 = 5840; IPv4: 2 × 730 = 1460 h.
    // On demand: 2920 × 0.0696 = 203.232; 5840 × 0.0076 = 44.384; IPv4 7.3;
    //   total 203.232 + 44.384 + 7.3 + 0.9 + 0.0408 + 0.2 = 256.0568 → $256.06
    // Spot at 70% off: unit prices × 0.3 = 0.02088 and 0.00228;
    //   2920 × 0.02088 = 60.9696; 5840 × 0.00228 = 13.3152;
    //   total 60.9696 + 13.3152 + 7.3 + 0.9 + 0.0408 + 0.2 = 82.7256 → $82.73
    let inputs = CostInputs::new("sa-east-1", 2048, 4096).tasks(2);
    let both = compare_spot(&inputs, Exact::int(70)).unwrap();
    assert_eq!(both.on_demand.total_monthly, x("256.0568"));
    assert_eq!(both.on_demand.total_monthly.usd(), "$256.06");
    let spot_vcpu = both.spot.item(CostKind::FargateVcpu).unwrap();
    assert_eq!(spot_vcpu.unit_price, x("0.02088"));
    assert_eq!(spot_vcpu.monthly, x("60.9696"));
    assert!(spot_vcpu.is_estimate);
    assert_eq!(spot_vcpu.sources, ["S1", "S9"]);
    assert_eq!(
        both.spot.item(CostKind::FargateMemory).unwrap().unit_price,
        x("0.00228")
    );
    assert!(!both.spot.item(CostKind::PublicIpv4).unwrap().is_estimate);
    assert_eq!(both.spot.total_monthly, x("82.7256"));
    assert_eq!(both.spot.total_monthly.usd(), "$82.73");
    // 256.0568 − 82.7256 = 173.3312
    assert_eq!(both.spot_saving_monthly(), x("173.3312"));
    assert!(both.spot.is_estimate());
    assert!(both
        .spot
        .assumptions()
        .iter()
        .any(|a| a.contains("70%") && a.contains("estimate")));
}

#[test]
fn spot_discount_scales_fargate_only() {
    // us-east-1 quarter vCPU at 70% off: 9.010025 × 0.3 = 2.7030075 → $2.70;
    // at 68.16% off (the 2026-09-28 snapshot): × 0.3184 = 2.86879196 → $2.87.
    let inputs = CostInputs::new("us-east-1", 256, 512);
    let at = |percent: &str| {
        estimate(&inputs.clone().spot_discount_percent(x(percent)))
            .unwrap()
            .fargate_compute()
    };
    assert_eq!(at("70"), x("2.7030075"));
    assert_eq!(at("70").usd(), "$2.70");
    assert_eq!(at("68.16"), x("2.86879196"));
    assert_eq!(at("0"), x("9.010025"));
    assert_eq!(at("100"), Exact::ZERO);
    // The default assumption is AWS's advertised maximum, read from the table.
    assert_eq!(default_spot_discount_percent(), Exact::int(70));
    // IPv4, logs and ECR do not change with Spot: 13.390025 − 9.010025 + 2.7030075.
    let spot = estimate(&inputs.clone().spot_discount_percent(Exact::int(70))).unwrap();
    assert_eq!(spot.total_monthly, x("7.0830075"));
    assert!(matches!(
        estimate(&inputs.clone().spot_discount_percent(x("100.5"))),
        Err(CostError::Invalid {
            field: "spot_discount_percent",
            ..
        })
    ));
    assert!(
        estimate(&inputs.spot_discount_percent(x("68.125"))).is_err(),
        "2 decimals at most"
    );
}

#[test]
fn eight_decimal_prices_and_part_time_hours_in_tel_aviv() {
    // il-central-1 ARM: 0.04145152 / 0.00455168. Four vCPU / 8 GB for 100 h a month,
    // no IP, no logs, no images:
    // vCPU-h 4 × 100 = 400 × 0.04145152 = 16.580608
    // GB-h   8 × 100 = 800 × 0.00455168 = 3.641344
    // total 20.221952 → $20.22
    let usage = Usage {
        hours_per_month: Exact::int(100),
        log_ingest_gb_month: Exact::ZERO,
        log_storage_gb: Exact::ZERO,
        image_size_gb: Exact::ZERO,
        images_kept: 0,
        ..Usage::default()
    };
    let inputs = CostInputs::new("il-central-1", 4096, 8192)
        .architecture(Architecture::Arm64)
        .public_ip(false)
        .usage(usage);
    let bill = estimate(&inputs).unwrap();
    assert_eq!(bill.items.len(), 2);
    assert_eq!(bill.total_monthly, x("20.221952"));
    assert_eq!(bill.total_monthly.usd(), "$20.22");
}

#[test]
fn arm_versus_x86() {
    // us-east-1 quarter vCPU with IP and default usage:
    // x86 13.390025; ARM 7.20875 + 3.65 + 0.5 + 0.03 + 0.2 = 11.58875; saving 1.801275.
    let both = compare_architectures(&CostInputs::new("us-east-1", 256, 512)).unwrap();
    assert_eq!(both.x86.total_monthly, x("13.390025"));
    assert_eq!(both.arm.total_monthly, x("11.58875"));
    assert_eq!(both.arm_saving_monthly(), x("1.801275"));
    assert_eq!(both.arm.inputs.architecture, Architecture::Arm64);
}

#[test]
fn five_cheapest_regions_for_the_default_task() {
    // Quarter vCPU x86 + IP + default usage. Totals = Fargate + 3.65 + logs + 0.03-ish + 0.2:
    // us-east-1 = us-east-2 = us-west-2: 9.010025 + 3.65 + 0.5 + 0.03 + 0.2 = 13.390025
    // eu-west-1 (same Fargate rate, logs 0.57): 13.460025
    // mx-central-1: 182.5 × 0.042504 = 7.75698; 365 × 0.00466725 = 1.70354625;
    //   9.46052625 + 3.65 + 0.5 + 0.03 + 0.2 = 13.84052625
    // next: ap-south-1: 182.5 × 0.04256 = 7.7672; 365 × 0.004655 = 1.699075;
    //   9.466275 + 3.65 + 0.67 + 0.03 + 0.2 = 14.016275
    let top = cheapest_regions(
        &CostInputs::new("eu-west-1", 256, 512),
        CHEAPEST_REGION_COUNT,
    )
    .unwrap();
    let codes: Vec<_> = top.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        [
            "us-east-1",
            "us-east-2",
            "us-west-2",
            "eu-west-1",
            "mx-central-1"
        ]
    );
    let totals: Vec<_> = top.iter().map(|r| r.total_monthly).collect();
    assert_eq!(
        totals,
        [
            x("13.390025"),
            x("13.390025"),
            x("13.390025"),
            x("13.460025"),
            x("13.84052625")
        ]
    );
    assert_eq!(top[3].name, "Europe (Ireland)");
    let six = cheapest_regions(&CostInputs::new("eu-west-1", 256, 512), 6).unwrap();
    assert_eq!(
        (six[5].code, six[5].total_monthly),
        ("ap-south-1", x("14.016275"))
    );
}

#[test]
fn five_cheapest_regions_on_arm_put_mumbai_first() {
    // ARM, ap-south-1 and ap-south-2: 0.02383 / 0.00261, logs 0.67 / 0.03:
    //   182.5 × 0.02383 = 4.348975; 365 × 0.00261 = 0.95265;
    //   5.301625 + 3.65 + 0.67 + 0.03 + 0.2 = 9.851625
    // us-east-1 / us-east-2 / us-west-2: 7.20875 + 4.38 = 11.58875
    // (eu-west-1 11.65875 and mx-central-1 11.9491875 come after.)
    let inputs = CostInputs::new("us-east-1", 256, 512).architecture(Architecture::Arm64);
    let top = cheapest_regions(&inputs, 5).unwrap();
    let ranked: Vec<_> = top.iter().map(|r| (r.code, r.total_monthly)).collect();
    assert_eq!(
        ranked,
        [
            ("ap-south-1", x("9.851625")),
            ("ap-south-2", x("9.851625")),
            ("us-east-1", x("11.58875")),
            ("us-east-2", x("11.58875")),
            ("us-west-2", x("11.58875")),
        ]
    );
}

#[test]
fn a_region_without_an_ecr_price_is_reported_not_guessed() {
    // The table has no ECR storage price for ap-southeast-6 (New Zealand).
    let inputs = CostInputs::new("ap-southeast-6", 256, 512);
    let bill = estimate(&inputs).unwrap();
    assert!(!bill.is_complete());
    assert_eq!(bill.unpriced[0].kind, CostKind::EcrStorage);
    assert_eq!(bill.unpriced[0].quantity, x("2"));
    assert!(bill.assumptions().iter().any(|a| a.contains("not priced")));
    // So it is not ranked on a partial total, unless no image is stored.
    let all = cheapest_regions(&inputs, 100).unwrap();
    assert!(all.iter().all(|r| r.code != "ap-southeast-6"));
    assert_eq!(all.len(), keyless_core::regions::REGIONS.len() - 1);
    let no_images = inputs.clone().usage(Usage {
        images_kept: 0,
        ..Usage::default()
    });
    assert!(estimate(&no_images).unwrap().is_complete());
    assert!(cheapest_regions(&no_images, 100)
        .unwrap()
        .iter()
        .any(|r| r.code == "ap-southeast-6"));
}

#[test]
fn amounts_do_not_drift() {
    // 5000 tasks: 9.010025 × 5000 = 45050.125 exactly, which rounds half up to $45,050.13
    // (a float sum lands on either side of the half cent).
    let one = CostInputs::new("us-east-1", 256, 512).public_ip(false);
    let many = estimate(&one.clone().tasks(5000)).unwrap();
    assert_eq!(many.fargate_compute(), x("45050.125"));
    assert_eq!(many.fargate_compute().usd(), "$45,050.13");
    // The total is the exact sum of the exact items, whatever their number.
    for region in ["us-east-1", "il-central-1", "mx-central-1", "eu-central-2"] {
        for arch in [Architecture::X86_64, Architecture::Arm64] {
            let bill = estimate(
                &CostInputs::new(region, 1024, 3072)
                    .architecture(arch)
                    .tasks(7)
                    .ephemeral_storage_gib(33),
            )
            .unwrap();
            let sum: Exact = bill.items.iter().map(|i| i.monthly).sum();
            assert_eq!(sum, bill.total_monthly);
            for item in &bill.items {
                assert_eq!(item.quantity * item.unit_price, item.monthly);
            }
        }
    }
    // Rounding happens once, on the exact amount: eu-west-2 x86 (0.04656 / 0.00511),
    // quarter vCPU: 182.5 × 0.04656 = 8.4972 ($8.50), 365 × 0.00511 = 1.86515 ($1.87);
    // exact sum 10.36235 → $10.36, whereas adding the rounded lines gives $10.37.
    let london = estimate(&CostInputs::new("eu-west-2", 256, 512)).unwrap();
    assert_eq!(london.monthly(CostKind::FargateVcpu).usd(), "$8.50");
    assert_eq!(london.monthly(CostKind::FargateMemory).usd(), "$1.87");
    assert_eq!(london.fargate_compute(), x("10.36235"));
    assert_eq!(london.fargate_compute().usd(), "$10.36");
}

#[test]
fn log_storage_follows_retention() {
    // 3 GB/month kept 90 days: 3 × 90 × 24 / 730 = 6480 / 730 = 8.87671… → 8.8767 GB.
    assert_eq!(
        Usage::log_storage_for_retention(Exact::int(3), 90),
        x("8.8767")
    );
    // 30 days of 1 GB: 720 / 730 = 0.98630… → 0.9863.
    assert_eq!(
        Usage::log_storage_for_retention(Exact::int(1), 30),
        x("0.9863")
    );
}

#[test]
fn every_offered_region_prices_and_arm_is_never_dearer() {
    for (code, _) in keyless_core::regions::REGIONS {
        let both = compare_architectures(&CostInputs::new(*code, 1024, 2048)).unwrap();
        assert!(both.x86.fargate_compute() > Exact::ZERO, "{code}");
        assert!(
            both.arm.fargate_compute() < both.x86.fargate_compute(),
            "{code}"
        );
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let ok = CostInputs::new("us-east-1", 256, 512);
    assert_eq!(
        estimate(&ok.clone().region("mars-1")),
        Err(CostError::UnknownRegion("mars-1".into()))
    );
    for bad in [
        ok.clone().tasks(MAX_TASKS + 1),
        ok.clone().ephemeral_storage_gib(201),
        CostInputs::new("us-east-1", 0, 512),
        CostInputs::new("us-east-1", 256, MAX_MEMORY_MIB + 1),
        ok.clone().usage(Usage {
            hours_per_month: Exact::int(745),
            ..Usage::default()
        }),
        ok.clone().usage(Usage {
            log_ingest_gb_month: Exact::ratio(1, 3),
            ..Usage::default()
        }),
        ok.clone().usage(Usage {
            image_size_gb: Exact::int(-1),
            ..Usage::default()
        }),
        ok.clone().usage(Usage {
            load_balancer_lcus: x("0.00001"),
            ..Usage::default()
        }),
        ok.clone().load_balancer(1, false),
        ok.clone().load_balancer(MAX_LOAD_BALANCER_ZONES + 1, false),
        ok.clone().autoscaling(3, 2),
        ok.clone().autoscaling(1, MAX_TASKS + 1),
    ] {
        assert!(
            matches!(estimate(&bad), Err(CostError::Invalid { .. })),
            "{bad:?}"
        );
    }
    // The largest accepted inputs, with awkward decimals, do not overflow.
    let huge = CostInputs::new("il-central-1", MAX_CPU_UNITS - 1, MAX_MEMORY_MIB - 1)
        .tasks(MAX_TASKS)
        .ephemeral_storage_gib(200)
        .spot_discount_percent(x("0.01"))
        .usage(Usage {
            hours_per_month: x(&format!("{}", MAX_HOURS_PER_MONTH - 1)) + x("0.9999"),
            log_ingest_gb_month: x(&format!("{}", MAX_USAGE_GB - 1)) + x("0.9999"),
            log_storage_gb: x(&format!("{}", MAX_USAGE_GB - 1)) + x("0.9997"),
            image_size_gb: x(&format!("{}", MAX_USAGE_GB - 1)) + x("0.9993"),
            images_kept: MAX_IMAGES_KEPT,
            load_balancer_lcus: x(&format!("{}", MAX_LOAD_BALANCER_LCUS - 1)) + x("0.9999"),
        })
        .load_balancer(MAX_LOAD_BALANCER_ZONES, true)
        .autoscaling(1, MAX_TASKS);
    let bill = estimate(&huge).unwrap();
    assert!(bill.total_yearly() > bill.total_monthly);
    assert!(cheapest_regions(&huge, 5).is_ok());
    assert!(compare_architectures(&huge).is_ok());
}

#[test]
fn inputs_from_a_validated_config() {
    let config = keyless_core::config::parse_config_json(
        r#"{"account_id": "123456789012", "github_owner": "octo-org", "github_repo": "octo-app",
            "app_name": "octo-app", "container_port": 8080, "region": "eu-west-1",
            "cpu": 1024, "memory": 3072, "desired_count": 4, "architecture": "ARM64",
            "ephemeral_storage_gib": 40, "use_spot": true, "log_retention_days": 90}"#,
    )
    .unwrap();
    let inputs = CostInputs::from(&config);
    assert_eq!(inputs.region, "eu-west-1");
    assert_eq!((inputs.cpu_units, inputs.memory_mib), (1024, 3072));
    assert_eq!(inputs.architecture, Architecture::Arm64);
    assert_eq!(inputs.task_count, 4);
    assert!(inputs.public_ip, "the config default");
    assert_eq!(inputs.ephemeral_storage_gib, 40);
    assert_eq!(inputs.spot_discount_percent, Exact::int(70));
    // 1 GB/month kept 90 days: 90 × 24 / 730 = 2.958904… → 2.9589 GB.
    assert_eq!(inputs.usage.log_storage_gb, x("2.9589"));
    assert_eq!(inputs.usage.hours_per_month, Exact::int(730));
    assert!(estimate(&inputs).unwrap().is_estimate());
}

/// A config of the default-like shape (us-east-1, 0.25 vCPU / 0.5 GB, x86, one
/// task, public IP, 30 days of logs) with `extra` keys.
fn config(extra: &str) -> keyless_core::ValidConfig {
    keyless_core::config::parse_config_json(&format!(
        r#"{{"account_id": "123456789012", "github_owner": "octo-org", "github_repo": "octo-app",
            "app_name": "octo-app", "container_port": 8080, "region": "us-east-1",
            "cpu": 256, "memory": 512, "desired_count": 1, "architecture": "X86_64"{extra}}}"#
    ))
    .unwrap()
}

const LOAD_BALANCER_KINDS: [CostKind; 3] = [
    CostKind::LoadBalancerHours,
    CostKind::LoadBalancerCapacity,
    CostKind::LoadBalancerIpv4,
];

#[test]
fn load_balancer_in_us_east_1_is_16_43_plus_one_lcu_plus_two_addresses() {
    // aws-prices.json, us-east-1: "alb": {"hour": 0.0225, "lcu_hour": 0.008, "src": "S5"},
    // "public_ipv4": {"in_use_hour": 0.005, "src": "S3"}; 730 hours a month.
    // ALB hours: 730 h × 0.0225 = 16.425 → $16.43 (domain.md §8: "$16.43 a month before LCUs")
    // LCU:       730 h × 1 LCU = 730 LCU-h × 0.008 = 5.84
    // ALB IPv4:  2 zones × 730 h = 1460 address-h × 0.005 = 7.30
    // load balancer: 16.425 + 5.84 + 7.3 = 29.565
    // The rest is the quarter-vCPU bill above: 9.010025 Fargate + 3.65 task IPv4 +
    //   0.5 logs + 0.03 stored + 0.2 ECR = 13.390025.
    // Total 13.390025 + 29.565 = 42.955025 → $42.96; a year 515.4603 → $515.46.
    let inputs = CostInputs::new("us-east-1", 256, 512).load_balancer(2, true);
    let bill = estimate(&inputs).unwrap();
    let hours = bill.item(CostKind::LoadBalancerHours).unwrap();
    assert_eq!(
        (hours.quantity, hours.unit_price, hours.monthly),
        (x("730"), x("0.0225"), x("16.425"))
    );
    assert_eq!(
        (hours.name, hours.unit),
        ("Application Load Balancer", "ALB-hour")
    );
    assert_eq!(hours.monthly.usd(), "$16.43");
    assert_eq!(hours.sources, ["S5"]);
    let lcu = bill.item(CostKind::LoadBalancerCapacity).unwrap();
    assert_eq!(
        (lcu.quantity, lcu.unit_price, lcu.monthly),
        (x("730"), x("0.008"), x("5.84"))
    );
    assert_eq!(
        (lcu.unit, lcu.sources.as_slice()),
        ("LCU-hour", &["S5"][..])
    );
    let ips = bill.item(CostKind::LoadBalancerIpv4).unwrap();
    assert_eq!(
        (ips.quantity, ips.unit_price, ips.monthly),
        (x("1460"), x("0.005"), x("7.3"))
    );
    assert_eq!(
        (ips.unit, ips.sources.as_slice()),
        ("address-hour", &["S3"][..])
    );
    // The tasks' own address stays its own line.
    assert_eq!(bill.monthly(CostKind::PublicIpv4), x("3.65"));
    assert_eq!(bill.total_monthly, x("42.955025"));
    assert_eq!(bill.total_monthly.usd(), "$42.96");
    assert_eq!(bill.total_yearly().usd(), "$515.46");
    let kinds: Vec<_> = bill.items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            CostKind::FargateVcpu,
            CostKind::FargateMemory,
            CostKind::PublicIpv4,
            CostKind::LoadBalancerHours,
            CostKind::LoadBalancerCapacity,
            CostKind::LoadBalancerIpv4,
            CostKind::LogsIngestion,
            CostKind::LogsStorage,
            CostKind::EcrStorage,
        ]
    );
    assert!(bill.is_complete() && !bill.is_estimate());
    let sources: Vec<_> = bill.sources().iter().map(|s| s.id).collect();
    assert_eq!(sources, ["S1", "S3", "S5", "S4", "S6"]);
    let notes = bill.assumptions().join("\n");
    for said in [
        "1 LCU on average",
        LCU_DEFINITION,
        "25 new connections/s, 3,000 active connections/min, 1 GB/h processed (IP targets) and 1,000 rule evaluations/s",
        "one public IPv4 address per Availability Zone it runs in: 2 addresses",
        "The ACM certificate is free",
        "NAT gateway, data transfer out and taxes not included",
    ] {
        assert!(notes.contains(said), "{said:?} in\n{notes}");
    }
    assert!(!notes.contains("load balancer, NAT gateway"), "{notes}");
    // Without a certificate (HTTP only) nothing is said about ACM; the figures are the same.
    let http = estimate(&CostInputs::new("us-east-1", 256, 512).load_balancer(2, false)).unwrap();
    assert_eq!(http.total_monthly, x("42.955025"));
    assert!(!http
        .assumptions()
        .join("\n")
        .contains("Certificate Manager"));
}

#[test]
fn the_lcu_assumption_scales_only_the_capacity_line() {
    // 2.5 LCU: 730 × 2.5 = 1825 LCU-h × 0.008 = 14.6 (us-east-1);
    // total 42.955025 − 5.84 + 14.6 = 51.715025.
    let busier = CostInputs::new("us-east-1", 256, 512)
        .load_balancer(2, true)
        .usage(Usage {
            load_balancer_lcus: x("2.5"),
            ..Usage::default()
        });
    let bill = estimate(&busier).unwrap();
    let lcu = bill.item(CostKind::LoadBalancerCapacity).unwrap();
    assert_eq!((lcu.quantity, lcu.monthly), (x("1825"), x("14.6")));
    assert_eq!(bill.monthly(CostKind::LoadBalancerHours), x("16.425"));
    assert_eq!(bill.total_monthly, x("51.715025"));
    assert!(bill
        .assumptions()
        .iter()
        .any(|a| a.contains("2.5 LCU on average")));
    // No traffic at all: no LCU line, the hours and addresses remain (16.425 + 7.3).
    let idle = estimate(&CostInputs {
        usage: Usage {
            load_balancer_lcus: Exact::ZERO,
            ..Usage::default()
        },
        ..busier
    })
    .unwrap();
    assert!(idle.item(CostKind::LoadBalancerCapacity).is_none());
    assert_eq!(idle.total_monthly, x("37.115025"));
}

#[test]
fn a_load_balancer_config_is_priced_in_two_zones_with_the_default_vpc() {
    // The same figures as above from keyless.json, except the logs kept for 30 days:
    // 1 × 30 × 24 / 730 = 0.9863 GB × 0.03 = 0.029589 instead of 0.03, so
    // 42.955025 − 0.03 + 0.029589 = 42.954614 → $42.95.
    let config = config(r#", "ingress": "load_balancer", "domain_name": "app.example.com""#);
    let inputs = CostInputs::from(&config);
    assert_eq!(
        inputs.load_balancer,
        Some(LoadBalancerInputs {
            zones: 2,
            https: true
        })
    );
    assert!(inputs.public_ip, "the tasks keep their own addresses");
    assert_eq!(inputs.usage.load_balancer_lcus, Exact::ONE);
    let bill = estimate(&inputs).unwrap();
    assert_eq!(bill.monthly(CostKind::LoadBalancerHours), x("16.425"));
    assert_eq!(bill.monthly(CostKind::LoadBalancerCapacity), x("5.84"));
    assert_eq!(bill.monthly(CostKind::LoadBalancerIpv4), x("7.3"));
    assert_eq!(bill.total_monthly, x("42.954614"));
    assert_eq!(bill.total_monthly.usd(), "$42.95");
    assert!(bill
        .assumptions()
        .iter()
        .any(|a| a.contains("The ACM certificate is free")));
}

#[test]
fn three_explicit_subnets_give_the_load_balancer_three_addresses() {
    // One address per subnet's zone: 3 × 730 = 2190 address-h × 0.005 = 10.95.
    // Total 13.389614 (the public-IP config) + 16.425 + 5.84 + 10.95 = 46.604614 → $46.60.
    let config = config(
        r#", "ingress": "load_balancer",
           "subnets": ["subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312", "subnet-0123456789abcdef0"]"#,
    );
    let inputs = CostInputs::from(&config);
    assert_eq!(
        inputs.load_balancer,
        Some(LoadBalancerInputs {
            zones: 3,
            https: false
        })
    );
    let bill = estimate(&inputs).unwrap();
    let ips = bill.item(CostKind::LoadBalancerIpv4).unwrap();
    assert_eq!((ips.quantity, ips.monthly), (x("2190"), x("10.95")));
    assert_eq!(bill.total_monthly, x("46.604614"));
    assert_eq!(bill.total_monthly.usd(), "$46.60");
    assert!(bill.assumptions().iter().any(|a| a.contains("3 addresses")));
    // setup.sh places it in two default subnets of the default VPC, else in every
    // subnet given (at least two).
    assert_eq!(LoadBalancerInputs::for_subnets(0, false).zones, 2);
    assert_eq!(LoadBalancerInputs::for_subnets(2, false).zones, 2);
    assert_eq!(LoadBalancerInputs::for_subnets(5, false).zones, 5);
}

#[test]
fn a_public_ip_config_is_priced_as_before() {
    // No load balancer lines, no new notes: the figure of cli_cost.rs,
    // 9.010025 + 3.65 + 0.5 + 0.029589 + 0.2 = 13.389614.
    let config = config(r#", "ingress": "public_ip""#);
    let inputs = CostInputs::from(&config);
    assert_eq!(inputs.load_balancer, None);
    assert_eq!(inputs, CostInputs::from(&self::config("")));
    let bill = estimate(&inputs).unwrap();
    assert!(bill
        .items
        .iter()
        .all(|i| !LOAD_BALANCER_KINDS.contains(&i.kind)));
    assert_eq!(bill.total_monthly, x("13.389614"));
    let notes = bill.assumptions().join("\n");
    assert!(notes.contains("No free tier subtracted; load balancer, NAT gateway, data transfer out and taxes not included (Keyless creates none of them)"));
    assert!(
        !notes.contains("LCU") && !notes.contains("Autoscaling"),
        "{notes}"
    );
    // A changed LCU assumption does nothing without a load balancer.
    let busier = CostInputs {
        usage: Usage {
            load_balancer_lcus: x("7"),
            ..inputs.usage.clone()
        },
        ..inputs
    };
    assert_eq!(estimate(&busier).unwrap().total_monthly, x("13.389614"));
}

#[test]
fn autoscaling_is_priced_at_the_starting_count() {
    // desired_count 2 within autoscaling 1–4, us-east-1 quarter vCPU with IP, no load balancer:
    // 2 tasks: vCPU 365 × 0.04048 = 14.7752; memory 730 × 0.004445 = 3.24485;
    //   IPv4 1460 × 0.005 = 7.3; logs 0.5 + 0.029589; ECR 0.2 → 26.049639 → $26.05
    // 4 tasks all month: 29.5504 + 6.4897 + 14.6 + 0.729589 = 51.369689 → $51.37
    let config =
        config(r#", "desired_count": 2, "min_count": 1, "max_count": 4, "cpu_target_percent": 70"#);
    let inputs = CostInputs::from(&config);
    assert_eq!(inputs.task_count, 2);
    let bill = estimate(&inputs).unwrap();
    assert_eq!(bill.total_monthly, x("26.049639"));
    assert_eq!(bill.total_monthly_at_max_tasks(), Some(x("51.369689")));
    assert!(
        bill.assumptions().iter().any(|a| a
            == "Autoscaling between 1 and 4 tasks on CPU; priced at the starting count, 2 tasks (4 tasks all month: $51.37 a month)"),
        "{:#?}",
        bill.assumptions()
    );
    // Starting at the most: nothing more to show.
    let at_max = estimate(
        &CostInputs::new("us-east-1", 256, 512)
            .tasks(3)
            .autoscaling(1, 3),
    )
    .unwrap();
    assert_eq!(
        at_max.total_monthly_at_max_tasks(),
        Some(at_max.total_monthly)
    );
    assert!(at_max
        .assumptions()
        .iter()
        .any(|a| a.ends_with("priced at the starting count, 3 tasks")));
    assert_eq!(
        estimate(&CostInputs::new("us-east-1", 256, 512))
            .unwrap()
            .total_monthly_at_max_tasks(),
        None
    );
}

#[test]
fn a_region_without_a_load_balancer_price_leaves_it_out_and_says_so() {
    // ap-southeast-6 has no "alb" entry in the table: hours and LCUs unpriced,
    // the addresses still priced (IPv4 0.005 there too): 1460 × 0.005 = 7.3.
    let bill =
        estimate(&CostInputs::new("ap-southeast-6", 256, 512).load_balancer(2, false)).unwrap();
    let unpriced: Vec<_> = bill.unpriced.iter().map(|u| (u.kind, u.quantity)).collect();
    assert_eq!(
        unpriced,
        [
            (CostKind::LoadBalancerHours, x("730")),
            (CostKind::LoadBalancerCapacity, x("730")),
            (CostKind::EcrStorage, x("2")),
        ]
    );
    assert_eq!(bill.monthly(CostKind::LoadBalancerIpv4), x("7.3"));
    assert!(bill
        .assumptions()
        .iter()
        .any(|a| a.starts_with("Application Load Balancer is not priced")));
}
