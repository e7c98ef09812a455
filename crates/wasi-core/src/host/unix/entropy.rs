//! The host's random bytes, for `random_get`'s pool.

use crate::errno::WasiResult;

/// Fills `out` from the host's entropy source. On Linux that is
/// `getrandom(2)`, called directly (without libc's cancellation-point
/// wrapper; large buffers take several calls). Elsewhere the `getrandom`
/// crate picks each system's source.
pub fn getrandom(out: &mut [u8]) -> WasiResult<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let mut out = out;
        while !out.is_empty() {
            let n = crate::host::retry_on_intr(|| rustix::rand::getrandom(&mut *out, rustix::rand::GetRandomFlags::empty()))?;
            out = &mut out[n..];
        }
        Ok(())
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        getrandom::fill(out).map_err(|e| e.raw_os_error().map_or(crate::errno::Errno::Io, crate::host::from_host_errno))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_a_large_buffer_with_varied_bytes() {
        let mut buf = vec![0u8; 1 << 20];
        super::getrandom(&mut buf).unwrap();
        let zeros = buf.iter().filter(|&&b| b == 0).count();
        // About 1/256 of the bytes are zero; all of them would be a failure.
        assert!(zeros < buf.len() / 64, "{zeros} zero bytes");
    }
}
