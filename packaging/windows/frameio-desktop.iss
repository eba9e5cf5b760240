; Inno Setup 6 script for Frame.io Desktop: a per-user installer (no administrator rights)
; with a Start-menu entry and an uninstaller. scripts/build_installer.py runs it as
;   ISCC /DAppVersion=<version> /DSourceDir=dist\frameio-desktop /DOutputDir=dist
;        /DOutputBaseName=frameio-desktop-<version>-windows-<arch>-setup /DArch=x64compatible
;        [/DUrlScheme=adobe+<hash>] ["/Ssigntool=signtool sign ... $f" /DSign]
; UrlScheme registers the app as the handler of the Adobe Native App credential's
; redirect scheme under HKCU\Software\Classes (per user, like the install).

#ifndef AppVersion
  #error Pass /DAppVersion=<version>
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\frameio-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputBaseName
  #define OutputBaseName "frameio-desktop-" + AppVersion + "-windows-setup"
#endif
#ifndef Arch
  #define Arch "x64compatible"
#endif

[Setup]
; The AppId identifies the installation for upgrades and the uninstaller: never change it.
AppId={{7C0C3A52-5E0B-4C8E-9D7A-2F4B1E6A9D31}
AppName=Frame.io Desktop
AppVersion={#AppVersion}
AppVerName=Frame.io Desktop {#AppVersion}
AppPublisher=frameio-desktop
VersionInfoVersion={#AppVersion}
; Per user: installs into %LOCALAPPDATA%\Programs, needs no administrator.
PrivilegesRequired=lowest
DefaultDirName={autopf}\Frame.io Desktop
DefaultGroupName=Frame.io Desktop
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\frameio-desktop.exe
UninstallDisplayName=Frame.io Desktop
ArchitecturesAllowed={#Arch}
ArchitecturesInstallIn64BitMode={#Arch}
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseName}
SetupIconFile=..\..\resources\icon.ico
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
#ifdef Sign
; The installer and the uninstaller it writes are signed with the same certificate as
; the files inside (packaging/windows/sign.ps1 signs those before this runs).
SignTool=signtool
SignedUninstaller=yes
#endif

[Files]
; The whole PyInstaller folder, sub-folders included, as it is.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Frame.io Desktop"; Filename: "{app}\frameio-desktop.exe"

#ifdef UrlScheme
; The same keys and values `frameio-desktop register-scheme` writes (core/browser/scheme.py),
; so the app sees them as its own and `unregister-scheme` can remove them.
[Registry]
Root: HKCU; Subkey: "Software\Classes\{#UrlScheme}"; ValueType: string; ValueName: ""; ValueData: "URL:{#UrlScheme}"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\{#UrlScheme}"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKCU; Subkey: "Software\Classes\{#UrlScheme}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\frameio-desktop.exe"" ""%1"""
#endif

[Run]
Filename: "{app}\frameio-desktop.exe"; Description: "Open Frame.io Desktop"; Flags: nowait postinstall skipifsilent
