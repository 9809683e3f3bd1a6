//! The long syntax of a `ports:` entry: a mapping of `target`, `published`,
//! `host_ip`, `protocol`, `mode`, `app_protocol`, `name` (and `x-`
//! extensions). Unknown keys are refused, as compose refuses them, so that a
//! typo such as `publish:` is never read as an ephemeral port.

use serde_norway::Value;

use super::port_spec::{host_ip, port, protocol, Bad, PortSpec, Protocol};

pub(super) fn parse_long(entry: &Value) -> Result<PortSpec, Bad> {
    let mut spec = PortSpec { target: 0, published: None, host_ip: None, protocol: Protocol::Tcp };
    let map = entry.as_mapping().into_iter().flatten();
    for (key, value) in map {
        let key = key.as_str().unwrap_or_default();
        match key {
            "target" => spec.target = port(&scalar(value, key)?, "target")?.unwrap_or(0),
            "published" => spec.published = port(&scalar(value, key)?, "published port")?,
            "host_ip" => spec.host_ip = host_ip(&scalar(value, key)?)?,
            "protocol" => spec.protocol = protocol(&scalar(value, key)?)?,
            "mode" | "app_protocol" | "name" => {}
            k if k.starts_with("x-") => {}
            k => {
                return Err(Bad::Invalid(format!(
                    "unknown key `{k}` (expected target, published, host_ip, protocol, mode, app_protocol or name)"
                )));
            }
        }
    }
    if spec.target == 0 {
        return Err(Bad::Invalid("`target` (the container port) is missing".into()));
    }
    Ok(spec)
}

fn scalar(value: &Value, key: &str) -> Result<String, Bad> {
    match value {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.trim().to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(Bad::Invalid(format!("`{key}` must be a number or a string"))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::port_spec::tests::{check, show, yaml};

    #[test]
    fn long_syntax() {
        check(
            "
            {target: 8003, host_ip: 127.0.0.1, published: '8003', protocol: udp, mode: host} => 127.0.0.1|8003|8003/udp
            {target: '8006', protocol: udp, name: dns} => ||8006/udp
            {target: 80, published: 8080, app_protocol: http, x-note: a} => |8080|80/tcp
            {target: 80, published: '', host_ip: ''} => ||80/tcp
            {target: 80, published: 8000-8010} => is not supported: list the ports one by one instead",
            true,
        );
    }

    #[test]
    fn invalid_long_entries() {
        check(
            "
            {target: 80, publish: 8080} => unknown key `publish` (expected target, published, host_ip, protocol, mode, app_protocol or name)
            {published: 8080} => in service web: `target` (the container port) is missing
            {target: [80]} => in service web: `target` must be a number or a string
            true => in service web: expected a number, a string like \"8080:80\" or a mapping with `target:`",
            true,
        );
        assert_eq!(
            show(&yaml("{target: 80, publish: 8080}")),
            "invalid port \"{target: 80, publish: 8080}\" in service web: unknown key `publish` \
             (expected target, published, host_ip, protocol, mode, app_protocol or name)"
        );
    }
}
