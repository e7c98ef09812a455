#!/usr/bin/env node
'use strict';
// Checks a built addon statically, for binaries this machine cannot run
// (and for the Linux ones before they ship): the object format and CPU
// match the target, Node's entry point `napi_register_module_v1` is
// exported, Linux binaries need no glibc newer than 2.17, and macOS dylibs
// carry the intended minimum macOS, link only system libraries and, on
// arm64, carry a code signature, without which macOS refuses to load them;
// the Windows DLL imports only system DLLs. Uses rustup's llvm-tools.
// Usage: node scripts/check-binary.js <file.node> <rust target triple>
// Prints one line per check; exits 1 if any fails.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

/** The minimum macOS each apple target is built for (Rust's own minimums). */
const MACOS_MIN = { 'aarch64-apple-darwin': '11.0', 'x86_64-apple-darwin': '10.13' };
const GLIBC_MAX = [2, 17];

// rustup's llvm-tools folder, asked of rustc once per process.
let llvmBin;
function llvmTool(name) {
  if (!llvmBin) {
    const sysroot = execFileSync('rustc', ['--print', 'sysroot'], { encoding: 'utf8' }).trim();
    const host = execFileSync('rustc', ['-vV'], { encoding: 'utf8' }).match(/^host: (.*)$/m)[1];
    llvmBin = path.join(sysroot, 'lib', 'rustlib', host, 'bin');
  }
  const tool = path.join(llvmBin, name);
  if (!fs.existsSync(tool)) throw new Error(`${tool} is missing: run scripts/ensure-cross.sh (rustup component add llvm-tools)`);
  return (...args) => execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function checks(file, triple) {
  const objdump = llvmTool('llvm-objdump');
  const nm = llvmTool('llvm-nm');
  const results = [];
  const check = (what, ok, detail) => results.push({ what, ok, detail });
  const arm = triple.startsWith('aarch64');
  if (triple.includes('apple-darwin')) {
    const headers = objdump('--macho', '--private-headers', file);
    const header = headers.split('\n').find((l) => /^\s*MH_MAGIC/.test(l)) || '';
    check('Mach-O dylib', /\bDYLIB\b/.test(header), '');
    check(`CPU ${arm ? 'ARM64' : 'X86_64'}`, header.includes(arm ? 'ARM64' : 'X86_64'), '');
    const minos = headers.match(/cmd LC_BUILD_VERSION[\s\S]*?minos (\S+)/)?.[1] ?? headers.match(/cmd LC_VERSION_MIN_MACOSX[\s\S]*?version (\S+)/)?.[1];
    check(`minimum macOS ${MACOS_MIN[triple]}`, minos === MACOS_MIN[triple], `minos ${minos}`);
    if (arm) check('code signature (LC_CODE_SIGNATURE)', headers.includes('LC_CODE_SIGNATURE'), '');
    const exported = nm('-gU', file);
    check('exports _napi_register_module_v1', /\s_napi_register_module_v1$/m.test(exported), '');
    // Node-API itself is looked up in the process at load (napi-sys's
    // dyn-symbols), so only the system's own libraries may be linked.
    const id = objdump('--macho', '--dylib-id', file).split('\n')[1]?.trim();
    const used = objdump('--macho', '--dylibs-used', file).split('\n').slice(1).map((l) => l.trim().split(' ')[0]).filter((l) => l && l !== id);
    check('links only system libraries', used.length > 0 && used.every((l) => /^\/(usr\/lib|System\/Library)\//.test(l)), used.join(' '));
  } else if (triple.includes('linux-gnu')) {
    const headers = objdump('-f', file);
    check('ELF shared object', /file format elf64/.test(headers), headers.match(/file format (\S+)/)?.[1]);
    check(`CPU ${arm ? 'aarch64' : 'x86-64'}`, arm ? /elf64-littleaarch64/.test(headers) : /elf64-x86-64/.test(headers), '');
    const dynsyms = objdump('-T', file);
    check('exports napi_register_module_v1', /\sg\s+DF\s+\.text\s+\S+\s+(?:Base\s+)?napi_register_module_v1$/m.test(dynsyms) || /DF \.text.*\snapi_register_module_v1$/m.test(dynsyms), '');
    const versions = [...dynsyms.matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const newest = versions.reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a), [0, 0]);
    check(`needs glibc <= ${GLIBC_MAX.join('.')}`, newest[0] < GLIBC_MAX[0] || (newest[0] === GLIBC_MAX[0] && newest[1] <= GLIBC_MAX[1]), `newest GLIBC_${newest.join('.')}`);
  } else if (triple.includes('pc-windows')) {
    // The DLL Windows Node loads: PE x86-64, the Node-API entry exported,
    // and only Windows' own DLLs imported. Node-API is looked up in node.exe
    // when the addon loads, so neither node.exe nor the libnode.dll stub it
    // was linked against may be imported, nor any MinGW runtime DLL
    // (libgcc_s, libwinpthread), which a Windows machine does not have.
    const headers = objdump('-p', file);
    check('PE DLL', /file format coff-x86-64/.test(headers) && /Characteristics[\s\S]*?DLL/.test(headers), headers.match(/file format (\S+)/)?.[1]);
    check('CPU x86-64', /architecture: x86_64|coff-x86-64/.test(headers), '');
    check('exports napi_register_module_v1', /^\s+\d+\s+0x[0-9a-f]+\s+napi_register_module_v1$/m.test(headers), '');
    const dlls = [...headers.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1].toLowerCase());
    const system = /^(kernel32|ntdll|ws2_32|msvcrt|advapi32|userenv|bcrypt|bcryptprimitives|shell32|ole32|api-ms-win-[a-z0-9-]+)\.dll$/;
    check('imports only Windows system DLLs', dlls.length > 0 && dlls.every((d) => system.test(d)), [...new Set(dlls)].join(' '));
  } else {
    check('known target', false, triple);
  }
  return results;
}

module.exports = { checks, MACOS_MIN };

if (require.main === module) {
  const [file, triple] = process.argv.slice(2);
  if (!file || !triple) {
    console.error('usage: node scripts/check-binary.js <file.node> <rust target triple>');
    process.exit(2);
  }
  const results = checks(file, triple);
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${path.basename(file)}: ${r.what}${r.detail ? ` (${r.detail})` : ''}`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
