//! The Windows halves of path operations the sandbox (`sandbox.rs`)
//! makes: names that leave the tree, unlink's error for a directory, the
//! two kinds of symlink, and symlink contents as UTF-8 with `/`.

use crate::types::Filestat;
use cap_std::fs::Dir;
use std::io;
use std::path::Path;

/// Whether Windows would take `path` (relative to a directory) to
/// something other than a file beneath it:
/// - a `:` in any component: a drive (`C:x`, `C:\`) or an alternate data
///   stream (`file:stream`, `file::$DATA`);
/// - a reserved device name as a component (`CON`, `NUL`, `AUX`, `PRN`,
///   `COM0`-`COM9`, `LPT0`-`LPT9`, their superscript-digit forms, `CONIN$`,
///   `CONOUT$`), with any extension and trailing dots or spaces
///   (`nul.txt`, `CON .`), as Win32 reads them (cap-std refuses these only
///   when opening);
/// - a leading separator: an absolute, UNC or device path (`\\?\`,
///   `\\.\`, `\\server\share`), which cap-std refuses too.
///
/// Both `/` and `\` separate components on Windows.
pub fn leaves_tree(path: &str) -> bool {
    if path.starts_with(['/', '\\']) {
        return true;
    }
    path.split(['/', '\\']).any(|component| component.contains(':') || is_reserved_device_name(component))
}

fn is_reserved_device_name(component: &str) -> bool {
    // Win32 ignores what follows the first dot, and trailing spaces.
    let stem = component.split('.').next().unwrap_or("").trim_end_matches(' ');
    let upper = stem.to_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let digit = upper.strip_prefix("COM").or_else(|| upper.strip_prefix("LPT"));
            let mut chars = digit.unwrap_or("").chars();
            matches!((chars.next(), chars.next()), (Some(d), None) if d.is_ascii_digit() || matches!(d, '\u{b9}' | '\u{b2}' | '\u{b3}'))
        }
    }
}

/// No one-call stat of a child on Windows: cap-std answers every stat.
pub fn stat_child(_dir: &Dir, _name: &str) -> Option<io::Result<(Filestat, bool)>> {
    None
}

/// Unlinking a directory is `EISDIR`, as POSIX says; Windows answers it
/// with `ERROR_ACCESS_DENIED`, so a refusal is looked at again: if the
/// path names a directory (not a link to one, `is_dir`), it is `EISDIR`.
pub fn unlink_error(e: io::Error, is_dir: impl FnOnce() -> bool) -> io::Error {
    if e.kind() == io::ErrorKind::PermissionDenied && is_dir() {
        return io::ErrorKind::IsADirectory.into();
    }
    e
}

/// Creates a symlink at `link` (beneath `dir`) whose contents are
/// `target`. Windows has two kinds of symlink, to a file and to a
/// directory, and resolves a relative one with `\` separators. So the
/// target is written with `\` (and read back with `/`, [`link_contents`]),
/// and the link is a directory link when the target, seen from the link's
/// own directory, is a directory inside the sandbox; otherwise (a file,
/// nothing yet, or outside) a file link. (cap-fs-ext's `symlink` looks the
/// target up from `dir` instead, and refuses one that does not exist yet.)
pub fn symlink(target: &str, dir: &Dir, link: &str) -> io::Result<()> {
    let from = Path::new(link).parent().unwrap_or(Path::new(""));
    let to_dir = dir.metadata(from.join(target)).is_ok_and(|m| m.is_dir());
    let target = target.replace('/', "\\");
    if to_dir {
        dir.symlink_dir(&target, link)
    } else {
        dir.symlink_file(&target, link)
    }
}

/// A symlink's contents as the guest reads them: Windows keeps them as
/// UTF-16 with `\` separators, which the guest gets as UTF-8 with `/` (as
/// [`symlink`] wrote them); contents that are not valid Unicode are
/// `EILSEQ` (an `InvalidData` error).
pub fn link_contents(contents: std::ffi::OsString) -> io::Result<Vec<u8>> {
    contents.into_string().map(|s| s.replace('\\', "/").into_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))
}

#[cfg(test)]
mod tests {
    use super::leaves_tree;

    #[test]
    fn windows_device_drive_and_stream_names_leave_the_tree() {
        for path in [
            "C:",
            "C:x",
            "C:\\Windows",
            "d/C:/x",
            "file.txt:stream",
            "file.txt::$DATA",
            "\\\\?\\C:\\x",
            "\\\\.\\PhysicalDrive0",
            "\\\\server\\share",
            "\\Windows",
            "/etc",
            "CON",
            "con",
            "nul.txt",
            "d/AUX",
            "d\\prn.tar.gz",
            "NUL ",
            "CON .txt",
            "COM1",
            "lpt9.log",
            "COM\u{b9}",
            "LPT\u{b3}",
            "CONIN$",
            "conout$",
        ] {
            assert!(leaves_tree(path), "{path:?}");
        }
    }

    #[test]
    fn plain_names_stay_in_the_tree() {
        for path in
            ["a", "a/b", "..", "../x", "CONSOLE", "icon", "COM", "COM10", "LPT", "xNUL", "nul_x", "com1x", "aaé", "é", "COMé", "a\\b", "."]
        {
            assert!(!leaves_tree(path), "{path:?}");
        }
    }
}
