//! A minimal, dependency-free ZIP writer for the "Download all" button: the bundle's
//! files stored (not compressed — they are a few KB of text) under their paths, with
//! a fixed timestamp so the same bundle always gives the same bytes.

/// A file to put in the archive.
pub struct ZipEntry<'a> {
    /// Path inside the archive, `/`-separated, relative.
    pub path: &'a str,
    /// The file's bytes.
    pub data: &'a [u8],
    /// Whether the file should be executable when extracted (Unix mode 0755).
    pub executable: bool,
}

/// 1980-01-01 00:00, the DOS epoch: a fixed date keeps the archive deterministic.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// "Version made by": Unix (3) << 8 | spec 2.0, so the external attributes carry a mode.
const MADE_BY_UNIX: u16 = (3 << 8) | 20;
const VERSION_NEEDED: u16 = 20;
/// General purpose flag bit 11: names are UTF-8.
const FLAG_UTF8: u16 = 1 << 11;

/// Writes a ZIP archive holding `entries` in the given order.
pub fn write_zip(entries: &[ZipEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = u32::try_from(out.len()).expect("bundle archives are far below 4 GiB");
        let crc = crc32(entry.data);
        let size = u32::try_from(entry.data.len()).expect("bundle files are small");
        let name = entry.path.as_bytes();
        let name_len = u16::try_from(name.len()).expect("paths are short");

        put_u32(&mut out, 0x0403_4b50);
        put_u16(&mut out, VERSION_NEEDED);
        put_u16(&mut out, FLAG_UTF8);
        put_u16(&mut out, 0); // stored
        put_u16(&mut out, DOS_TIME);
        put_u16(&mut out, DOS_DATE);
        put_u32(&mut out, crc);
        put_u32(&mut out, size);
        put_u32(&mut out, size);
        put_u16(&mut out, name_len);
        put_u16(&mut out, 0); // extra field length
        out.extend_from_slice(name);
        out.extend_from_slice(entry.data);

        let mode: u32 = if entry.executable { 0o100755 } else { 0o100644 };
        put_u32(&mut central, 0x0201_4b50);
        put_u16(&mut central, MADE_BY_UNIX);
        put_u16(&mut central, VERSION_NEEDED);
        put_u16(&mut central, FLAG_UTF8);
        put_u16(&mut central, 0);
        put_u16(&mut central, DOS_TIME);
        put_u16(&mut central, DOS_DATE);
        put_u32(&mut central, crc);
        put_u32(&mut central, size);
        put_u32(&mut central, size);
        put_u16(&mut central, name_len);
        put_u16(&mut central, 0); // extra
        put_u16(&mut central, 0); // comment
        put_u16(&mut central, 0); // disk number
        put_u16(&mut central, 0); // internal attributes
        put_u32(&mut central, mode << 16);
        put_u32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = u32::try_from(out.len()).expect("small archive");
    let central_size = u32::try_from(central.len()).expect("small archive");
    let count = u16::try_from(entries.len()).expect("few entries");
    out.extend_from_slice(&central);
    put_u32(&mut out, 0x0605_4b50);
    put_u16(&mut out, 0);
    put_u16(&mut out, 0);
    put_u16(&mut out, count);
    put_u16(&mut out, count);
    put_u32(&mut out, central_size);
    put_u32(&mut out, central_offset);
    put_u16(&mut out, 0);
    out
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit: the bundle is a
/// few KB, so a lookup table would cost more bytes in the wasm than it saves in time.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn archive_is_deterministic_and_well_formed() {
        let entries = [
            ZipEntry {
                path: "infra/setup.sh",
                data: b"#!/usr/bin/env bash\n",
                executable: true,
            },
            ZipEntry {
                path: "keyless.json",
                data: b"{}\n",
                executable: false,
            },
        ];
        let zip = write_zip(&entries);
        assert_eq!(zip, write_zip(&entries));
        assert_eq!(&zip[..4], b"PK\x03\x04");
        let end = &zip[zip.len() - 22..];
        assert_eq!(&end[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 2);
    }
}
