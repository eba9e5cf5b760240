"""Build the app with build_installer.spec and pack this system's installer.

    .venv/bin/python scripts/build_installer.py [--url-scheme adobe+<hash>]

Builds the onedir bundle once, then packs what this system installs from, named by the
system and the architecture the bundle was built for:

- Linux: dist/frameio-desktop_<version>_<debian-arch>.deb (installs under
  /opt/frameio-desktop) and dist/frameio-desktop-<version>-linux-<arch>.tar.gz;
- macOS: dist/frameio-desktop-<version>-macos-<arch>.dmg holding `Frame.io Desktop.app`
  (a disk image keeps the framework symlinks a zip would break); with --sign IDENTITY the
  app is signed inside-out first (packaging/macos/sign-and-notarize.sh), the dmg signed,
  and with --notary-profile the app is notarized and stapled before it goes into the dmg,
  then the dmg;
- Windows: dist/frameio-desktop-<version>-windows-<arch>-setup.exe through Inno Setup 6.3
  or later (packaging/windows/frameio-desktop.iss); without it the build stops.

Each build is for the architecture of the Python running it (x86_64 or arm64): build each
one on its own native machine (on macOS with python.org's Python).

--url-scheme is the redirect scheme of the organisation's Adobe Native App credential
(`adobe+<hash>`; the part of the redirect URI before `://`). With it, the installers
register the app as that scheme's handler (Info.plist CFBundleURLTypes, the Windows
registry under HKCU\\Software\\Classes, the .desktop file's MimeType). Without it (the
default) no scheme is registered. Prints each artifact and its size.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = "frameio-desktop"
MAC_APP = "Frame.io Desktop.app"
PACKAGING = ROOT / "packaging"
#: Icon sizes rendered by scripts/make_icons.py, installed into the hicolor theme.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: RFC 3161 timestamps keep Windows signatures valid after the certificate expires.
TIMESTAMP_URL = "http://timestamp.digicert.com"


def system_name() -> str:
    return {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")


def architecture() -> str:
    """The architecture the bundle runs on, in one spelling for all systems: that of the
    Python running PyInstaller, not of the machine (an x64 Python on Windows on Arm, or
    an x86_64 one under Rosetta, builds an x86_64 app)."""
    if sys.platform == "win32":
        machine = os.environ.get("PROCESSOR_ARCHITECTURE", platform.machine())
    else:
        machine = platform.machine()
    return {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(
        machine.lower(), machine.lower()
    )


def windows_version(version: str) -> tuple[int, int, int, int]:
    """The four numbers a Windows version resource (and Inno Setup's VersionInfoVersion)
    must have: 1.0 -> (1, 0, 0, 0), 0.3.0rc1 -> (0, 3, 0, 1), 2.3.4.5.6 -> (2, 3, 4, 5)."""
    numbers = [int(x) for x in re.findall(r"\d+", version)[:4]]
    numbers += [0] * (4 - len(numbers))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def url_scheme(value: str | None) -> str | None:
    if value and not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", value):
        raise SystemExit(f"--url-scheme {value!r} is not a URL scheme (e.g. adobe+1a2b3c)")
    return value or None


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def build(dist: Path, work: Path, scheme: str | None) -> Path:
    env = {**os.environ}
    env.pop("FRAMEIO_URL_SCHEME", None)
    if scheme:
        env["FRAMEIO_URL_SCHEME"] = scheme
    command = [sys.executable, "-m", "PyInstaller", str(ROOT / "build_installer.spec")]
    command += ["--noconfirm", "--log-level", "WARN", "--distpath", str(dist)]
    subprocess.run(
        [*command, "--workpath", str(work)],
        check=True,
        cwd=ROOT,
        env=env,
    )
    return dist / APP


# -- Linux ----------------------------------------------------------------------------


def pack_tarball(bundle: Path, out: Path, level: int = 9) -> Path:
    with tarfile.open(out, "w:gz", compresslevel=level) as tar:
        tar.add(bundle, arcname=APP)
    return out


def desktop_entry(scheme: str | None, exec_path: str = APP) -> str:
    """resources/frameio-desktop.desktop, made the handler of the redirect scheme when
    there is one (%u: the desktop passes the redirect URL as the argument, after the
    handoff switch the app registers itself with)."""
    text = (ROOT / "resources" / f"{APP}.desktop").read_text()
    # --handoff-url: what follows is only ever a sign-in address (core/browser/scheme.py).
    handoff = " --handoff-url %u" if scheme else ""
    text = re.sub(r"^Exec=.*$", f"Exec={exec_path}{handoff}", text, flags=re.M)
    if scheme:
        text = text.rstrip("\n") + f"\nMimeType=x-scheme-handler/{scheme};\n"
    return text


def system_dependencies(bundle: Path) -> list[str]:
    """The Debian packages whose libraries the bundle links against but does not carry
    (glibc, X11/xcb, fontconfig, ...): each ELF file's libraries as the dynamic loader
    resolves them with the bundle's own folders first, mapped to packages by dpkg -S."""
    elf = []
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    elf.append(path)
    folders = sorted({str(p.parent) for p in elf})
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(folders)}
    outside: set[str] = set()
    for path in elf:
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env)
        for found in re.finditer(r"=> (/\S+)", result.stdout):
            library = found[1]
            if not Path(library).resolve().is_relative_to(bundle.resolve()):
                outside.add(library)
    packages: set[str] = set()
    unowned = set(outside)
    # Debian's merged /usr: a library found under /lib may be registered under /usr/lib.
    candidates = outside | {str(Path(p).resolve()) for p in outside}
    candidates |= {"/usr" + p for p in outside if not p.startswith("/usr/")}
    result = subprocess.run(
        ["dpkg", "-S", *sorted(candidates)], capture_output=True, text=True, check=False
    )
    for line in result.stdout.splitlines():
        owners, _, path = line.partition(": ")
        for owner in owners.split(", "):
            packages.add(owner.split(":")[0])
        for original in list(unowned):
            if path in (original, str(Path(original).resolve()), "/usr" + original):
                unowned.discard(original)
    if unowned:
        print(f"warning: no package owns {sorted(unowned)}", file=sys.stderr)
    return sorted(packages)


#: Debian requires a Maintainer; a deployment sets its own with --maintainer.
DEFAULT_MAINTAINER = "Frame.io Desktop maintainers <frameio-desktop@example.invalid>"


def build_deb(
    bundle: Path,
    dist: Path,
    version: str,
    scheme: str | None,
    level: int = 6,
    maintainer: str = DEFAULT_MAINTAINER,
) -> Path:
    """A Debian package: the bundle under /opt/frameio-desktop, /usr/bin/frameio-desktop,
    the menu entry and the icons; xz-compressed, files owned by root."""
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    out = dist / f"{APP}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(dir=dist) as tmp:
        stage = Path(tmp) / "root"
        opt = stage / "opt" / APP
        shutil.copytree(bundle, opt, symlinks=True)
        (stage / "usr" / "bin").mkdir(parents=True)
        (stage / "usr" / "bin" / APP).symlink_to(f"/opt/{APP}/{APP}")
        applications = stage / "usr" / "share" / "applications"
        applications.mkdir(parents=True)
        (applications / f"{APP}.desktop").write_text(desktop_entry(scheme))
        icons = stage / "usr" / "share" / "icons" / "hicolor"
        for size in ICON_SIZES:
            folder = icons / f"{size}x{size}" / "apps"
            folder.mkdir(parents=True)
            shutil.copy(ROOT / "resources" / f"icon-{size}.png", folder / f"{APP}.png")
        (icons / "scalable" / "apps").mkdir(parents=True)
        shutil.copy(ROOT / "resources" / "icon.svg", icons / "scalable" / "apps" / f"{APP}.svg")
        doc = stage / "usr" / "share" / "doc" / APP
        doc.mkdir(parents=True)
        shutil.copy(PACKAGING / "deb" / "copyright", doc / "copyright")
        debian = stage / "DEBIAN"
        debian.mkdir()
        control = (
            (PACKAGING / "deb" / "control")
            .read_text()
            .format(
                version=version,
                arch=arch,
                maintainer=maintainer,
                depends=", ".join(system_dependencies(bundle)),
                installed_size=(folder_size(stage) + 1023) // 1024,
            )
        )
        (debian / "control").write_text(control)
        shutil.copy(PACKAGING / "deb" / "postrm", debian / "postrm")
        (debian / "postrm").chmod(0o755)
        for path in [stage, *stage.rglob("*")]:
            if path.is_symlink():
                continue
            if path.is_dir():
                path.chmod(0o755)
            else:
                path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
        command = ["dpkg-deb", "--root-owner-group", "-Zxz", f"-z{level}", "--build"]
        subprocess.run(
            [*command, str(stage), str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


# -- macOS ------------------------------------------------------------------------------


#: The oldest macOS the Mac build promises; the spec holds every bundled binary to it.
MACOS_PROMISED = (15, 0)


def check_python_for_macos(target: str | None = None) -> None:
    """Stop before building when the Python running this was built for a newer macOS
    than the app promises (Homebrew's on a newer runner is built for that runner's
    macOS): its libraries would raise the app's minimum. python.org's is built for an
    old one."""
    if target is None:
        target = sysconfig.get_config_var("MACOSX_DEPLOYMENT_TARGET") or "0"
    needs = tuple(int(x) for x in re.findall(r"\d+", target)[:2])
    if needs > MACOS_PROMISED:
        raise SystemExit(
            f"{sys.executable} is built for macOS {target}, newer than the "
            f"{'.'.join(map(str, MACOS_PROMISED))} the app promises: build with python.org's "
            "Python (https://www.python.org/downloads/macos/)"
        )


def build_dmg(app: Path, out: Path, identity: str | None, notary_profile: str | None) -> Path:
    """The disk image. Signed: the app inside-out, then the dmg. Notarized: the app first
    (stapled, so it opens offline wherever it is copied), then the dmg holding it."""
    script = str(PACKAGING / "macos" / "sign-and-notarize.sh")
    if notary_profile and not identity:
        raise SystemExit("--notary-profile needs --sign: Apple notarizes signed apps only")
    if identity:
        subprocess.run([script, "sign-app", str(app), identity], check=True)
        if notary_profile:
            subprocess.run([script, "notarize-app", str(app), notary_profile], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "Frame.io Desktop"
        stage.mkdir()
        # ditto keeps the frameworks' symlinks, extended attributes and signatures.
        subprocess.run(["ditto", str(app), str(stage / app.name)], check=True)
        (stage / "Applications").symlink_to("/Applications")
        out.unlink(missing_ok=True)
        command = ["hdiutil", "create", "-volname", "Frame.io Desktop", "-srcfolder", str(stage)]
        subprocess.run(
            [*command, "-fs", "HFS+", "-format", "UDZO", "-ov", str(out)],
            check=True,
        )
    if identity:
        subprocess.run([script, "sign-dmg", str(out), identity], check=True)
        if notary_profile:
            subprocess.run([script, "notarize-dmg", str(out), notary_profile], check=True)
    return out


# -- Windows ----------------------------------------------------------------------------

#: Inno Setup 6.3 brought the architecture names the script uses (x64compatible).
ISCC_OLDEST = (6, 3)
#: Inno Setup's download page, for the message when it is missing.
INNO_SETUP_URL = "https://jrsoftware.org/isdl.php"


def _pe_version(path: Path) -> tuple[int, ...] | None:
    """The file version in a Windows executable's version resource (pefile), or None."""
    try:
        import pefile

        pe = pefile.PE(str(path), fast_load=True)
        pe.parse_data_directories(
            directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]]
        )
        info = pe.VS_FIXEDFILEINFO[0]
        ms, ls = info.FileVersionMS, info.FileVersionLS
        return (ms >> 16, ms & 0xFFFF, ls >> 16, ls & 0xFFFF)
    except Exception:  # noqa: BLE001 - no pefile, not a PE file, no version resource
        return None


def iscc_candidates(environ: Mapping[str, str]) -> list[Path]:
    """Where Inno Setup's compiler may be, in the order asked: the ISCC variable (then
    nowhere else: a compiler named on purpose is the one used), PATH, then Inno Setup 7
    and 6 installed for all users (Program Files) or per user (%LOCALAPPDATA%\\Programs,
    where its installer puts a non-administrator install)."""
    if environ.get("ISCC"):
        return [Path(environ["ISCC"])]
    found: list[Path] = []
    for name in ("ISCC.exe", "ISCC", "iscc"):
        on_path = shutil.which(name, path=environ.get("PATH"))
        if on_path:
            found.append(Path(on_path))
    bases = [environ.get(v) for v in ("PROGRAMFILES(X86)", "PROGRAMFILES", "PROGRAMW6432")]
    local = environ.get("LOCALAPPDATA")
    bases.append(str(Path(local) / "Programs") if local else None)
    for major in ("7", "6"):
        for base in bases:
            if base:
                found.append(Path(base) / f"Inno Setup {major}" / "ISCC.exe")
    return list(dict.fromkeys(found))


def find_iscc(
    environ: Mapping[str, str] | None = None,
    version_of: Callable[[Path], tuple[int, ...] | None] | None = None,
) -> Path:
    """The first Inno Setup compiler of version 6.3 or later (one whose version cannot be
    read is taken: the script itself stops on an older one). None found stops the build
    with where it looked: no installer is never a success."""
    environ = os.environ if environ is None else environ
    version_of = version_of or _pe_version
    looked = []
    for candidate in iscc_candidates(environ):
        if not candidate.is_file():
            looked.append(f"{candidate} (not there)")
            continue
        version = version_of(candidate)
        if version is not None and version[:2] < ISCC_OLDEST:
            looked.append(f"{candidate} (version {'.'.join(map(str, version))})")
            continue
        return candidate
    raise SystemExit(
        "Inno Setup 6.3 or later is needed to build the Windows installer, and its compiler "
        f"(ISCC.exe) was not found. Install it from {INNO_SETUP_URL} (or `winget install "
        "JRSoftware.InnoSetup`), or set ISCC to the path of ISCC.exe. Looked at:\n  "
        + "\n  ".join(looked)
    )


def find_signtool(environ: Mapping[str, str] | None = None) -> Path:
    """signtool.exe comes with the Windows SDK (GitHub's Windows runners have it, off
    PATH): the SIGNTOOL variable, PATH, or the newest SDK's, for this machine's
    architecture, under Windows Kits\\10\\bin."""
    environ = os.environ if environ is None else environ
    if environ.get("SIGNTOOL"):
        return Path(environ["SIGNTOOL"])
    on_path = shutil.which("signtool.exe", path=environ.get("PATH")) or shutil.which(
        "signtool", path=environ.get("PATH")
    )
    if on_path:
        return Path(on_path)
    arch = {"x86_64": "x64", "arm64": "arm64"}.get(architecture(), "x64")
    kits = [
        Path(base) / "Windows Kits" / "10" / "bin"
        for base in (environ.get("PROGRAMFILES(X86)"), environ.get("PROGRAMFILES"))
        if base
    ]
    found = sorted(
        (p for kit in kits for p in kit.glob(f"10.*/{arch}/signtool.exe")),
        key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.parent.parent.name)),
    )
    if found:
        return found[-1]
    raise SystemExit(
        "signtool.exe was not found: it comes with the Windows SDK (winget install "
        "Microsoft.WindowsSDK.10.0.26100, or Visual Studio's installer). Put it on PATH, "
        "or set SIGNTOOL to its path."
    )


def build_setup(
    bundle: Path,
    dist: Path,
    version: str,
    arch: str,
    scheme: str | None,
    thumbprint: str | None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """The per-user Inno Setup installer. With a certificate thumbprint, the files inside
    are signed first, then the installer and its uninstaller."""
    iscc = find_iscc(environ)  # before signing: a missing compiler stops the build first
    base = f"{APP}-{version}-windows-{arch}"
    numbers = ".".join(str(n) for n in windows_version(version))
    defines = [
        f"/DAppVersion={version}",
        f"/DAppVersionNumbers={numbers}",
        f"/DSourceDir={bundle}",
        f"/DOutputDir={dist}",
        f"/DOutputBaseName={base}-setup",
        f"/DArch={'arm64' if arch == 'arm64' else 'x64compatible'}",
    ]
    if scheme:
        defines.append(f"/DUrlScheme={scheme}")
    if thumbprint:
        signtool = find_signtool(environ)
        command = ["powershell", "-NoProfile", "-File", str(PACKAGING / "windows" / "sign.ps1")]
        command += ["-Bundle", str(bundle), "-Thumbprint", thumbprint, "-SignTool", str(signtool)]
        subprocess.run(command, check=True)
        # $q is Inno Setup's quote in a sign tool command; $f the file it signs.
        sign = (
            f"$q{signtool}$q sign /sha1 {thumbprint} /fd SHA256 /tr {TIMESTAMP_URL} /td SHA256 $f"
        )
        defines += [f"/Ssigntool={sign}", "/DSign"]
    subprocess.run(
        [str(iscc), "/Q", *defines, str(PACKAGING / "windows" / "frameio-desktop.iss")],
        check=True,
    )
    out = dist / f"{base}-setup.exe"
    if not out.is_file():
        raise SystemExit(f"Inno Setup finished but wrote no {out}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument(
        "--url-scheme",
        default=os.environ.get("FRAMEIO_URL_SCHEME"),
        help="redirect scheme to register (adobe+<hash>); default $FRAMEIO_URL_SCHEME or none",
    )
    parser.add_argument(
        "--sign",
        metavar="IDENTITY",
        help="macOS: the Developer ID Application identity; Windows: the code-signing "
        "certificate's SHA-1 thumbprint",
    )
    parser.add_argument("--notary-profile", help="macOS: notarytool keychain profile")
    parser.add_argument(
        "--maintainer", default=DEFAULT_MAINTAINER, help="Linux: the .deb's Maintainer field"
    )
    parser.add_argument("--no-archive", action="store_true", help="build the bundle only")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the same installers with the lightest compression (xz -1, gzip -1): for tests",
    )
    args = parser.parse_args()
    scheme = url_scheme(args.url_scheme)
    if sys.platform == "darwin":
        check_python_for_macos()
    dist = args.dist.resolve()
    bundle = build(dist, args.work.resolve(), scheme)
    version = importlib.metadata.version(APP)
    arch = architecture()
    base = f"{APP}-{version}-{system_name()}-{arch}"
    print(f"bundle:   {bundle}  {folder_size(bundle) / 1e6:.1f} MB unpacked")
    if args.no_archive:
        return 0
    if sys.platform == "darwin":
        dmg = dist / f"{base}.dmg"
        artifacts = [build_dmg(dist / MAC_APP, dmg, args.sign, args.notary_profile)]
    elif sys.platform == "win32":
        artifacts = [build_setup(bundle, dist, version, arch, scheme, args.sign)]
    else:
        artifacts = [
            build_deb(bundle, dist, version, scheme, 1 if args.quick else 6, args.maintainer),
            pack_tarball(bundle, dist / f"{base}.tar.gz", level=1 if args.quick else 9),
        ]
    for artifact in artifacts:
        kind = "tarball" if artifact.name.endswith(".tar.gz") else artifact.suffix[1:]
        print(f"{kind + ':':<9} {artifact}  {artifact.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
