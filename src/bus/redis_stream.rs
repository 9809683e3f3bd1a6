//! Reading Redis streams: `XREAD` (optionally blocking) and the replies of `XRANGE`/`XREAD`,
//! parsed by hand from `redis::Value` so the bus needs no more of the redis crate than the
//! features the project already enables.
//!
//! A blocking `XREAD` is given at least 1 ms: `BLOCK 0` would mean "forever".

use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::Value;

use super::error::{BusError, Result};

/// One stream entry: its id and its field/value pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub id: String,
    pub fields: Vec<(String, String)>,
}

impl Entry {
    /// The value of `name`, or an error naming the missing field.
    pub fn field(&self, name: &'static str) -> Result<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| BusError::malformed("stream entry", format!("no field {name} in {}", self.id)))
    }
}

/// Reads entries of `key` after `after`, blocking up to `block` if there are none yet
/// (`None`: do not block). Returns an empty list when the block ran out.
pub(crate) async fn xread(
    conn: &mut (impl ConnectionLike + Send),
    key: &str,
    after: &str,
    block: Option<Duration>,
    count: Option<usize>,
) -> Result<Vec<Entry>> {
    let mut cmd = redis::cmd("XREAD");
    if let Some(count) = count {
        cmd.arg("COUNT").arg(count);
    }
    if let Some(block) = block {
        let ms = u64::try_from(block.as_millis()).unwrap_or(u64::MAX).max(1);
        cmd.arg("BLOCK").arg(ms);
    }
    cmd.arg("STREAMS").arg(key).arg(after);
    let reply: Value = cmd.query_async(conn).await.map_err(BusError::redis("xread"))?;
    read_reply(reply)
}

/// The newest entry of `key`, if any (non-blocking).
pub(crate) async fn last(conn: &mut (impl ConnectionLike + Send), key: &str) -> Result<Option<Entry>> {
    let reply = redis::cmd("XREVRANGE")
        .arg(key)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(conn)
        .await
        .map_err(BusError::redis("xrevrange"))?;
    Ok(entries(reply)?.into_iter().next())
}

/// Checks a cursor before it reaches the server: `0` or `<ms>-<seq>`.
pub(crate) fn check_id(id: &str) -> Result<()> {
    let ok = match id.split_once('-') {
        Some((ms, seq)) => is_number(ms) && is_number(seq),
        None => is_number(id),
    };
    if ok {
        Ok(())
    } else {
        Err(BusError::invalid("signal id", format!("{id:?} is not a stream id")))
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses an `XREAD` reply for a single stream: nil, or `[[key, entries]]` (a map in RESP3).
fn read_reply(reply: Value) -> Result<Vec<Entry>> {
    match reply {
        Value::Nil => Ok(Vec::new()),
        Value::Array(streams) => match streams.into_iter().next() {
            Some(Value::Array(pair)) => match pair.into_iter().nth(1) {
                Some(list) => entries(list),
                None => Err(BusError::malformed("xread reply", "stream without entries")),
            },
            Some(other) => Err(BusError::malformed("xread reply", format!("{other:?}"))),
            None => Ok(Vec::new()),
        },
        Value::Map(streams) => match streams.into_iter().next() {
            Some((_, list)) => entries(list),
            None => Ok(Vec::new()),
        },
        other => Err(BusError::malformed("xread reply", format!("{other:?}"))),
    }
}

/// Parses a list of entries, each `[id, [field, value, ...]]`.
pub(crate) fn entries(list: Value) -> Result<Vec<Entry>> {
    let items = match list {
        Value::Nil => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => return Err(BusError::malformed("stream reply", format!("{other:?}"))),
    };
    items.into_iter().map(entry).collect()
}

fn entry(item: Value) -> Result<Entry> {
    let Value::Array(parts) = item else {
        return Err(BusError::malformed("stream entry", format!("{item:?}")));
    };
    let mut parts = parts.into_iter();
    let id = text(parts.next().unwrap_or(Value::Nil))?;
    let flat = match parts.next() {
        Some(Value::Array(flat)) => flat,
        Some(Value::Map(pairs)) => pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        other => return Err(BusError::malformed("stream entry", format!("{other:?}"))),
    };
    let mut fields = Vec::with_capacity(flat.len() / 2);
    let mut flat = flat.into_iter();
    while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
        fields.push((text(k)?, text(v)?));
    }
    Ok(Entry { id, fields })
}

fn text(value: Value) -> Result<String> {
    match value {
        Value::BulkString(bytes) => {
            String::from_utf8(bytes).map_err(|e| BusError::malformed("stream entry", e.to_string()))
        }
        Value::SimpleString(s) => Ok(s),
        other => Err(BusError::malformed("stream entry", format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn parses_xread_replies() -> Result<()> {
        let entry = Value::Array(vec![bulk("1-0"), Value::Array(vec![bulk("payload"), bulk("go")])]);
        let reply = Value::Array(vec![Value::Array(vec![bulk("k"), Value::Array(vec![entry])])]);
        let got = read_reply(reply)?;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id, "1-0");
        assert_eq!(got[0].field("payload")?, "go");
        assert!(got[0].field("other").is_err());
        assert!(read_reply(Value::Nil)?.is_empty());
        Ok(())
    }

    #[test]
    fn cursors_are_checked() {
        assert!(check_id("0").is_ok());
        assert!(check_id("1700000000000-3").is_ok());
        assert!(check_id("$").is_err());
        assert!(check_id("1-").is_err());
    }
}
