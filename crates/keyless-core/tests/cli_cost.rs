//! `keyless cost`: the binary run as a user would, checked against figures
//! computed by hand from `data/aws-prices.json` (arithmetic in the comments) and
//! against the library the web panel calls.

use std::path::PathBuf;
use std::process::{Command, Output};

use keyless_core::cost::{estimate, CostInputs, Exact};
use serde_json::Value;

/// Writes `json` to a fresh config file and returns its path.
fn config_file(name: &str, json: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_cost");
    std::fs::create_dir_all(&dir).unwrap();
    // One file per call: tests run in parallel and may write the same config.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("{name}-{call}.json"));
    std::fs::write(&path, json).unwrap();
    path
}

fn config(name: &str, extra: &str) -> PathBuf {
    config_file(
        name,
        &format!(
            r#"{{"account_id": "123456789012", "github_owner": "octo-org", "github_repo": "octo-app",
               "app_name": "octo-app", "container_port": 8080, {extra}}}"#
        ),
    )
}

fn keyless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(args)
        .output()
        .expect("run keyless")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "keyless failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn default_like() -> PathBuf {
    config(
        "default-like",
        r#""region": "us-east-1", "cpu": 256, "memory": 512, "desired_count": 1,
           "architecture": "X86_64", "assign_public_ip": true"#,
    )
}

#[test]
fn json_has_the_documented_shape_and_hand_computed_figures() {
    // us-east-1 x86, 0.25 vCPU / 0.5 GB, 1 task, public IP, default usage, log
    // retention 30 days (the config default):
    //   vCPU    182.5 vCPU-h × 0.04048  = 7.3876   → 7.39
    //   memory  365 GB-h     × 0.004445 = 1.622425 → 1.62
    //   IPv4    730 h        × 0.005    = 3.65
    //   logs    1 GB         × 0.50     = 0.5
    //   stored  1 GB × 30 d × 24 / 730 = 0.9863 GB × 0.03 = 0.029589 → 0.03
    //   ECR     10 × 0.2 GB = 2 GB-month × 0.10 = 0.2
    //   total   13.389614 → 13.39; a year 160.675368 → 160.68
    let path = default_like();
    let out = stdout(&keyless(&[
        "cost",
        "--config",
        path.to_str().unwrap(),
        "--json",
    ]));
    assert!(
        out.starts_with(r#"{"currency":"USD","as_of":"2025-11-04","items":[{"name":"Fargate vCPU","quantity":182.5,"unit":"vCPU-hour","unit_price":0.04048,"monthly":7.39,"#),
        "{out}"
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    let items = json["items"].as_array().unwrap();
    let row = |i: usize| {
        (
            items[i]["name"].as_str().unwrap(),
            items[i]["quantity"].as_f64().unwrap(),
            items[i]["unit"].as_str().unwrap(),
            items[i]["unit_price"].as_f64().unwrap(),
            items[i]["monthly"].as_f64().unwrap(),
        )
    };
    assert_eq!(items.len(), 6);
    assert_eq!(row(0), ("Fargate vCPU", 182.5, "vCPU-hour", 0.04048, 7.39));
    assert_eq!(row(1), ("Fargate memory", 365.0, "GB-hour", 0.004445, 1.62));
    assert_eq!(
        row(2),
        ("Public IPv4 address", 730.0, "address-hour", 0.005, 3.65)
    );
    assert_eq!(row(3), ("CloudWatch Logs ingestion", 1.0, "GB", 0.5, 0.5));
    assert_eq!(
        row(4),
        ("CloudWatch Logs storage", 0.9863, "GB-month", 0.03, 0.03)
    );
    assert_eq!(row(5), ("ECR storage", 2.0, "GB-month", 0.1, 0.2));
    assert_eq!(json["total_monthly"], 13.39);
    assert_eq!(json["total_yearly"], 160.68);
    assert_eq!(json["total_monthly_exact"], "13.389614");
    assert_eq!(items[0]["sources"][0], "S1");
    let source_ids: Vec<_> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(source_ids, ["S1", "S3", "S4", "S6"]);
    assert!(json["sources"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    assert_eq!(json["complete"], true);
    assert_eq!(json["estimate"], false);
    // A public-IP config's assumptions say nothing of a load balancer or autoscaling.
    let assumptions = json["assumptions"].as_object().unwrap();
    assert!(!assumptions.contains_key("load_balancer"));
    assert!(!assumptions.contains_key("autoscaling"));
}

fn load_balanced() -> PathBuf {
    config(
        "load-balanced",
        r#""region": "us-east-1", "cpu": 256, "memory": 512, "desired_count": 1,
           "architecture": "X86_64", "assign_public_ip": true,
           "ingress": "load_balancer", "domain_name": "app.example.com""#,
    )
}

#[test]
fn a_load_balancer_adds_its_hours_lcus_and_addresses() {
    // The default-like config above (13.389614) behind an ALB in the default VPC,
    // us-east-1 "alb": {"hour": 0.0225, "lcu_hour": 0.008}, IPv4 0.005:
    //   ALB       730 ALB-h        × 0.0225 = 16.425 → 16.43
    //   LCU       730 × 1 LCU-h    × 0.008  = 5.84
    //   ALB IPv4  2 × 730 = 1460 h × 0.005  = 7.3
    //   total     13.389614 + 29.565 = 42.954614 → 42.95; a year 515.455368 → 515.46
    let path = load_balanced();
    let out = stdout(&keyless(&[
        "cost",
        "--config",
        path.to_str().unwrap(),
        "--json",
    ]));
    let json: Value = serde_json::from_str(&out).unwrap();
    let items = json["items"].as_array().unwrap();
    let row = |name: &str| {
        let item = items
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {out}"));
        (
            item["quantity"].as_f64().unwrap(),
            item["unit"].as_str().unwrap().to_string(),
            item["unit_price"].as_f64().unwrap(),
            item["monthly"].as_f64().unwrap(),
        )
    };
    assert_eq!(
        row("Application Load Balancer"),
        (730.0, "ALB-hour".into(), 0.0225, 16.43)
    );
    assert_eq!(
        row("Load balancer capacity (LCU)"),
        (730.0, "LCU-hour".into(), 0.008, 5.84)
    );
    assert_eq!(
        row("Load balancer public IPv4"),
        (1460.0, "address-hour".into(), 0.005, 7.3)
    );
    assert_eq!(
        row("Public IPv4 address"),
        (730.0, "address-hour".into(), 0.005, 3.65)
    );
    assert_eq!(json["total_monthly_exact"], "42.954614");
    assert_eq!(json["total_monthly"], 42.95);
    assert_eq!(json["total_yearly"], 515.46);
    assert_eq!(
        json["assumptions"]["load_balancer"],
        serde_json::json!({"availability_zones": 2, "public_ipv4_addresses": 2, "lcus": 1.0, "https": true})
    );
    let notes = json["notes"].as_array().unwrap();
    assert!(notes
        .iter()
        .any(|n| n.as_str().unwrap().contains("1,000 rule evaluations/s")));
    assert!(notes
        .iter()
        .any(|n| n.as_str().unwrap().contains("The ACM certificate is free")));
    assert!(json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "S5"));

    // --lcu 3: 730 × 3 = 2190 LCU-h × 0.008 = 17.52; 42.954614 − 5.84 + 17.52 = 54.634614.
    let busier: Value = serde_json::from_str(&stdout(&keyless(&[
        "cost",
        "--config",
        path.to_str().unwrap(),
        "--json",
        "--lcu",
        "3",
    ])))
    .unwrap();
    assert_eq!(busier["total_monthly_exact"], "54.634614");
    assert_eq!(busier["assumptions"]["load_balancer"]["lcus"], 3.0);

    let table = stdout(&keyless(&["cost", "--config", path.to_str().unwrap()]));
    for expected in [
        "Application Load Balancer",
        "730 ALB-hours",
        "$0.0225 / ALB-hour",
        "$16.43",
        "$0.008 / LCU-hour",
        "$5.84",
        "1460 address-hours",
        "$7.30",
        "$42.95",
        "1 LCU on average",
        "S5  Application Load Balancer",
    ] {
        assert!(table.contains(expected), "missing {expected:?} in\n{table}");
    }
}

#[test]
fn lcus_are_refused_without_a_load_balancer() {
    let out = keyless(&[
        "cost",
        "--config",
        default_like().to_str().unwrap(),
        "--lcu",
        "2",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("load_balancer"));
    let bad = keyless(&[
        "cost",
        "--config",
        load_balanced().to_str().unwrap(),
        "--lcu",
        "0.00001",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("load_balancer_lcus"));
}

#[test]
fn table_shows_items_totals_assumptions_sources_and_date() {
    let path = default_like();
    let out = stdout(&keyless(&["cost", "--config", path.to_str().unwrap()]));
    for expected in [
        "us-east-1 (US East (N. Virginia))",
        "prices as of 2025-11-04",
        "Fargate vCPU",
        "182.5 vCPU-hours",
        "$0.04048 / vCPU-hour",
        "$7.39",
        "$1.62",
        "Public IPv4 address",
        "$3.65",
        "Total per month",
        "$13.39",
        "Total per year",
        "$160.68",
        "Assumptions:",
        "730 hours per month",
        "Sources:",
        "S1  Fargate on-demand",
        "S3  Public IPv4",
        "https://",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn spot_arm_and_overridden_assumptions() {
    // eu-west-1 ARM 1 vCPU / 2 GB, 2 tasks, 30 GiB ephemeral, Spot at 50% (set on
    // the command line), 5 GB logs ingested and kept, 3 images of 0.5 GB:
    //   ARM rates 0.03238 / 0.00356, halved: 0.01619 / 0.00178
    //   vCPU    2 × 1 × 730 = 1460 vCPU-h × 0.01619 = 23.6374
    //   memory  2 × 2 × 730 = 2920 GB-h   × 0.00178 = 5.1976
    //   storage (30 − 20) × 1460 = 14600 GB-h × 0.000122 = 1.7812
    //   IPv4    1460 h × 0.005 = 7.3
    //   logs    5 × 0.57 = 2.85; kept 5 × 0.03 = 0.15; ECR 1.5 × 0.10 = 0.15
    //   total   41.0662 → 41.07
    let path = config(
        "spot-arm",
        r#""region": "eu-west-1", "cpu": 1024, "memory": 2048, "desired_count": 2,
           "architecture": "ARM64", "ephemeral_storage_gib": 30, "use_spot": true,
           "assign_public_ip": true"#,
    );
    let out = stdout(&keyless(&[
        "cost",
        "--config",
        path.to_str().unwrap(),
        "--json",
        "--spot-discount",
        "50",
        "--log-gb",
        "5",
        "--log-storage-gb",
        "5",
        "--image-gb",
        "0.5",
        "--images-kept",
        "3",
    ]));
    let json: Value = serde_json::from_str(&out).unwrap();
    let items = json["items"].as_array().unwrap();
    let names: Vec<_> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Fargate vCPU",
            "Fargate memory",
            "Extra ephemeral storage",
            "Public IPv4 address",
            "CloudWatch Logs ingestion",
            "CloudWatch Logs storage",
            "ECR storage"
        ]
    );
    assert_eq!(items[0]["unit_price"], 0.01619);
    assert_eq!(items[0]["monthly"], 23.64);
    assert_eq!(items[0]["estimate"], true);
    assert_eq!(items[1]["unit_price"], 0.00178);
    assert_eq!(items[2]["quantity"], 14600.0);
    assert_eq!(items[2]["monthly"], 1.78);
    assert_eq!(items[3]["estimate"], false);
    assert_eq!(json["total_monthly_exact"], "41.0662");
    assert_eq!(json["total_monthly"], 41.07);
    assert_eq!(json["estimate"], true);
    assert_eq!(json["assumptions"]["spot_discount_percent"], 50.0);

    let table = stdout(&keyless(&[
        "cost",
        "--config",
        path.to_str().unwrap(),
        "--spot-discount",
        "50",
    ]));
    assert!(table.contains("Fargate vCPU *"), "{table}");
    assert!(table.contains("estimate"), "{table}");
    assert!(table.contains("S9"), "{table}");
}

#[test]
fn cli_and_library_agree_in_every_region() {
    // The web panel calls `estimate`; the CLI must print the same total.
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"] {
        let path = config(
            &format!("agree-{region}"),
            &format!(
                r#""region": "{region}", "cpu": 512, "memory": 1024, "desired_count": 3,
                   "assign_public_ip": false, "subnets": ["subnet-0123456789abcdef0"]"#
            ),
        );
        let out = stdout(&keyless(&[
            "cost",
            "--config",
            path.to_str().unwrap(),
            "--json",
        ]));
        let json: Value = serde_json::from_str(&out).unwrap();
        let mut inputs = CostInputs::new(region, 512, 1024).tasks(3).public_ip(false);
        inputs.usage.log_storage_gb = Exact::parse("0.9863").unwrap();
        let bill = estimate(&inputs).unwrap();
        assert_eq!(
            json["total_monthly_exact"],
            bill.total_monthly.to_string(),
            "{region}"
        );
        assert_eq!(
            json["total_monthly"],
            bill.total_monthly.to_cents_f64(),
            "{region}"
        );
        assert!(json["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["name"] != "Public IPv4 address"));
    }
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let no_config = keyless(&["cost"]);
    assert!(!no_config.status.success());
    assert!(String::from_utf8_lossy(&no_config.stderr).contains("--config"));

    let bad_flag = keyless(&["cost", "--config", "x.json", "--hours", "lots"]);
    assert!(!bad_flag.status.success());
    assert!(String::from_utf8_lossy(&bad_flag.stderr).contains("--hours"));

    let invalid = config(
        "invalid",
        r#""region": "mars-1", "cpu": 256, "memory": 512, "desired_count": 1"#,
    );
    let out = keyless(&["cost", "--config", invalid.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("region"));

    let too_many_hours = keyless(&[
        "cost",
        "--config",
        default_like().to_str().unwrap(),
        "--hours",
        "800",
    ]);
    assert!(!too_many_hours.status.success());
    assert!(String::from_utf8_lossy(&too_many_hours.stderr).contains("hours_per_month"));
}
