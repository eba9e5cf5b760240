#!/usr/bin/env bash
# Sign, verify and notarize the macOS app (scripts/build_installer.py --sign runs it).
#
#   sign-and-notarize.sh sign-app "dist/Frame.io Desktop.app" "Developer ID Application: NAME (TEAMID)"
#   sign-and-notarize.sh sign-dmg dist/frameio-desktop-<version>-macos-<arch>.dmg "<identity>"
#   sign-and-notarize.sh notarize-app "dist/Frame.io Desktop.app" <keychain-profile>
#   sign-and-notarize.sh notarize-dmg dist/frameio-desktop-<version>-macos-<arch>.dmg <keychain-profile>
#
# Inside-out, as Apple asks (no --deep, which signs everything with one set of
# entitlements): first every loose Mach-O file (libraries, Python extensions, framework
# binaries, the helper's executable), then each nested bundle (frameworks, then
# QtWebEngineProcess.app with Qt's own entitlements), and the app itself last, with the
# hardened runtime and a secure timestamp throughout. The notary profile comes from
# `xcrun notarytool store-credentials <profile>`.
#
# Notarizing: the signed app (zipped with ditto) and stapled before it goes into the dmg,
# so that it opens offline wherever it is copied; then the signed dmg, stapled too.
# `notarytool submit --wait` can end without error on a rejected upload: its JSON status
# must say Accepted, and anything else prints Apple's log and stops.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
action="${1:?sign-app, sign-dmg, notarize-app or notarize-dmg}"
target="${2:?path}"

json_field() {  # json_field NAME < JSON: one top-level field, or nothing
    python3 -c 'import json, sys
try:
    print(json.load(sys.stdin).get(sys.argv[1], ""))
except ValueError:
    pass' "$1"
}

notarize() {  # notarize FILE PROFILE: submit, wait, and stop with Apple's log unless Accepted
    local file="$1" profile="$2" result id status
    result="$(xcrun notarytool submit "$file" --keychain-profile "$profile" --wait \
        --output-format json)" || true
    id="$(json_field id <<<"$result")"
    status="$(json_field status <<<"$result")"
    echo "notarization of $(basename "$file"): ${status:-no status} (submission ${id:-none})"
    if [ "$status" != "Accepted" ]; then
        if [ -n "$id" ]; then
            echo "Apple's log of submission $id:" >&2
            xcrun notarytool log "$id" --keychain-profile "$profile" >&2 || true
        else
            echo "$result" >&2
        fi
        echo "notarization of $file failed: ${status:-no status}" >&2
        exit 1
    fi
}

sign() {  # sign IDENTITY [codesign options...] PATH
    local identity="$1"
    shift
    codesign --force --options runtime --timestamp --sign "$identity" "$@"
}

case "$action" in
sign-app)
    identity="${3:?Developer ID Application identity}"
    app="$target"
    # 1. Loose Mach-O files, deepest first: libraries, Python extensions, framework
    #    binaries. Bundle executables (the app's own in Contents/MacOS, the helper's) are
    #    signed with their bundle below; symlinks are skipped (their targets are signed).
    find "$app/Contents" -type f -not -path "*.app/Contents/MacOS/*" -print0 \
        | while IFS= read -r -d '' file; do
            if file -b "$file" | grep -q "Mach-O"; then
                printf '%s\t%s\n' "$(tr -cd / <<<"$file" | wc -c)" "$file"
            fi
        done | sort -rn | cut -f2- | while IFS= read -r file; do
            sign "$identity" "$file"
        done
    # 2. Nested bundles, deepest first: the helper app with Qt's entitlements, then the
    #    frameworks that contain it and the others.
    find "$app/Contents" -type d \( -name "*.app" -o -name "*.framework" \) -not -path "*/Versions/Current/*" \
        | awk -F/ '{ print NF "\t" $0 }' | sort -rn | cut -f2- | while IFS= read -r bundle; do
        case "$bundle" in
        */QtWebEngineProcess.app)
            sign "$identity" --entitlements "$here/QtWebEngineProcess.entitlements" "$bundle" ;;
        *) sign "$identity" "$bundle" ;;
        esac
    done
    # 3. The app, with its own (empty: no exceptions) entitlements.
    sign "$identity" --entitlements "$here/entitlements.plist" "$app"
    codesign --verify --strict --verbose=2 "$app"
    ;;
sign-dmg)
    identity="${3:?Developer ID Application identity}"
    codesign --force --timestamp --sign "$identity" "$target"
    codesign --verify --strict --verbose=2 "$target"
    ;;
notarize-app)
    profile="${3:?notarytool keychain profile}"
    app="$target"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    ditto -c -k --keepParent "$app" "$work/app.zip"
    notarize "$work/app.zip" "$profile"
    xcrun stapler staple "$app"
    xcrun stapler validate "$app"
    ;;
notarize-dmg)
    profile="${3:?notarytool keychain profile}"
    notarize "$target" "$profile"
    xcrun stapler staple "$target"
    xcrun stapler validate "$target"
    # Gatekeeper's own verdict on the disk image and on the app inside it.
    spctl --assess --type open --context context:primary-signature --verbose=2 "$target"
    mount="$(mktemp -d)"
    hdiutil attach -nobrowse -readonly -mountpoint "$mount" "$target" >/dev/null
    trap 'hdiutil detach "$mount" >/dev/null' EXIT
    spctl --assess --type execute --verbose=2 "$mount/Frame.io Desktop.app"
    ;;
*)
    echo "unknown action $action: sign-app, sign-dmg, notarize-app or notarize-dmg" >&2
    exit 2
    ;;
esac
