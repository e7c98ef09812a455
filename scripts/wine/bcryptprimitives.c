/* A stand-in for Windows' bcryptprimitives.dll, for Wine 8, which lacks
 * it. Rust's std (1.78+) gets its random bytes from ProcessPrng there, so
 * without this DLL no Rust-built DLL loads under Wine ("Module not
 * found"). ProcessPrng fills the buffer and cannot fail; here it asks
 * RtlGenRandom (advapi32's SystemFunction036), in chunks its ULONG length
 * can take. Built into the Wine prefix by scripts/ensure-wine.sh; never
 * shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
