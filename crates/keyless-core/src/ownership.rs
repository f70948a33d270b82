//! Ownership marks: the two tags Keyless puts on every resource it creates for
//! an app, so that `setup.sh` changes and `teardown.sh` deletes only resources
//! that carry them, and leaves everything else of the same name alone.
//!
//! One list of tags, rendered in each shape an AWS API takes it (IAM, ECR and
//! EC2 `Key=,Value=`; ECS `key=,value=`; CloudWatch Logs `k=v,k=v`), and the
//! JMESPath queries that read them back, so a script can never write one tag
//! and look for another.

/// Tag key that says a resource was created by Keyless.
pub const MANAGED_BY_KEY: &str = "managed-by";
/// The value of [`MANAGED_BY_KEY`].
pub const MANAGED_BY_VALUE: &str = "keyless";
/// Tag key naming the app (the config's `app_name`) a resource belongs to.
pub const APP_KEY: &str = "keyless-app";

/// The tags on every resource Keyless creates for `app`, as (key, value).
pub fn tags(app: &str) -> [(&'static str, String); 2] {
    [
        (MANAGED_BY_KEY, MANAGED_BY_VALUE.to_string()),
        (APP_KEY, app.to_string()),
    ]
}

/// `Key=K,Value=V` (or `key=K,value=V` when `lower`) per tag: the shorthand of
/// IAM, ECR and EC2 `--tags` (lower case for ECS).
pub fn shorthand_list(app: &str, lower: bool) -> Vec<String> {
    let (k, v) = if lower {
        ("key", "value")
    } else {
        ("Key", "Value")
    };
    tags(app)
        .iter()
        .map(|(key, value)| format!("{k}={key},{v}={value}"))
        .collect()
}

/// `K=V,K=V`: CloudWatch Logs' `--tags` map shorthand.
pub fn shorthand_map(app: &str) -> String {
    tags(app)
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// EC2 `--tag-specifications` for a resource type created with its tags.
pub fn tag_specification(resource_type: &str, app: &str) -> String {
    let tags: Vec<String> = tags(app)
        .iter()
        .map(|(key, value)| format!("{{Key={key},Value={value}}}"))
        .collect();
    format!("ResourceType={resource_type},Tags=[{}]", tags.join(","))
}

/// Two comma-separated JMESPath expressions giving the values of
/// [`MANAGED_BY_KEY`] and [`APP_KEY`] (`None` in text output when absent),
/// for a list of tags named `list` whose entries have `key` and `value` fields.
pub fn owner_query(list: &str, key: &str, value: &str) -> String {
    [MANAGED_BY_KEY, APP_KEY]
        .iter()
        .map(|tag| format!("{list}[?{key}=='{tag}'].{value}|[0]"))
        .collect::<Vec<_>>()
        .join(",")
}

/// [`owner_query`] for a tag map (CloudWatch Logs).
pub fn owner_query_map(map: &str) -> String {
    format!("{map}.\"{MANAGED_BY_KEY}\",{map}.\"{APP_KEY}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rendering_carries_both_tags_for_the_app() {
        assert_eq!(
            shorthand_list("api", false),
            ["Key=managed-by,Value=keyless", "Key=keyless-app,Value=api"]
        );
        assert_eq!(
            shorthand_list("api", true),
            ["key=managed-by,value=keyless", "key=keyless-app,value=api"]
        );
        assert_eq!(shorthand_map("api"), "managed-by=keyless,keyless-app=api");
        assert_eq!(
            tag_specification("security-group", "api"),
            "ResourceType=security-group,Tags=[{Key=managed-by,Value=keyless},{Key=keyless-app,Value=api}]"
        );
    }

    #[test]
    fn queries_read_the_keys_that_are_written() {
        assert_eq!(
            owner_query("Tags", "Key", "Value"),
            "Tags[?Key=='managed-by'].Value|[0],Tags[?Key=='keyless-app'].Value|[0]"
        );
        assert_eq!(
            owner_query_map("tags"),
            "tags.\"managed-by\",tags.\"keyless-app\""
        );
    }
}
