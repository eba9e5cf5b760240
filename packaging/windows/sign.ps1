# Sign what PyInstaller produced before Inno Setup packs it (scripts/build_installer.py
# --sign <thumbprint> runs this on Windows):
#   powershell -File packaging\windows\sign.ps1 -Bundle dist\frameio-desktop -Thumbprint <sha1>
#       [-SignTool <path to signtool.exe>]
# signtool.exe comes with the Windows SDK (Windows Kits\10\bin\<version>\<arch>); the build
# script finds it (SIGNTOOL, PATH, or the newest SDK's) and passes its path here.
# Signs both executables (frameio-desktop.exe, frameio-desktop-cli.exe, which the installer
# also puts in place as frameio-desktop.com: the same signed bytes) and every .pyd, .dll
# and .exe inside that carries no valid signature yet: the third-party extension
# modules and libraries (cryptography, charset-normalizer, ...). Files their vendors signed
# (Python, Qt, the MSVC runtime) keep their own signature. RFC 3161 timestamps keep the
# signatures valid after the certificate expires.
param(
    [Parameter(Mandatory = $true)][string]$Bundle,
    [Parameter(Mandatory = $true)][string]$Thumbprint,
    [string]$TimestampUrl = "http://timestamp.digicert.com",
    [string]$SignTool = "signtool"
)
$ErrorActionPreference = "Stop"
$files = Get-ChildItem -Path $Bundle -Recurse -File -Include *.exe, *.dll, *.pyd |
    Where-Object { (Get-AuthenticodeSignature $_.FullName).Status -ne "Valid" } |
    ForEach-Object { $_.FullName }
if ($files.Count -eq 0) { Write-Output "nothing to sign"; exit 0 }
# signtool takes many files per call; chunks keep the command line short.
for ($i = 0; $i -lt $files.Count; $i += 50) {
    $chunk = $files[$i..([Math]::Min($i + 49, $files.Count - 1))]
    & $SignTool sign /sha1 $Thumbprint /fd SHA256 /tr $TimestampUrl /td SHA256 $chunk
    if ($LASTEXITCODE -ne 0) { throw "signtool failed" }
}
& $SignTool verify /pa /all (Join-Path $Bundle "frameio-desktop.exe") (Join-Path $Bundle "frameio-desktop-cli.exe")
if ($LASTEXITCODE -ne 0) { throw "signature verification failed" }
