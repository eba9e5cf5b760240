; Inno Setup 6.3+ (or 7) script for Frame.io Desktop: a per-user installer (no
; administrator rights) with a Start-menu entry, the command line on the user's PATH, and
; an uninstaller. scripts/build_installer.py runs it as
;   ISCC /DAppVersion=<version> /DAppVersionNumbers=<a.b.c.d> /DSourceDir=dist\frameio-desktop
;        /DOutputDir=dist /DOutputBaseName=frameio-desktop-<version>-windows-<arch>-setup
;        /DArch=x64compatible [/DUrlScheme=adobe+<hash>] ["/Ssigntool=$q...signtool.exe$q sign ... $f" /DSign]
; AppVersion is the package version as people read it (0.3.0rc1); AppVersionNumbers the
; four numbers a Windows version resource must have (0.3.0.1), from windows_version().
; UrlScheme registers the app as the handler of the Adobe Native App credential's
; redirect scheme under HKCU\Software\Classes (per user, like the install).

#if VER < EncodeVer(6,3,0)
  #error Inno Setup 6.3 or later is needed (the x64compatible architecture name)
#endif
#ifndef AppVersion
  #error Pass /DAppVersion=<version>
#endif
#ifndef AppVersionNumbers
  #error Pass /DAppVersionNumbers=<four numbers, e.g. 0.3.0.1>
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
VersionInfoVersion={#AppVersionNumbers}
VersionInfoProductTextVersion={#AppVersion}
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
; The user's PATH changes (the addtopath task): tell running programs when done.
ChangesEnvironment=yes
#ifdef Sign
; The installer and the uninstaller it writes are signed with the same certificate as
; the files inside (packaging/windows/sign.ps1 signs those before this runs).
SignTool=signtool
SignedUninstaller=yes
#endif

[Tasks]
Name: "addtopath"; Description: "Add the command line (frameio-desktop token) to my PATH"

[InstallDelete]
; An upgrade replaces the bundle's libraries: the old version's that the new one no
; longer has (a DLL of an older Qt) must not stay beside it.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The whole PyInstaller folder, sub-folders included, as it is.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; The console twin once more, as frameio-desktop.com (Visual Studio's devenv.com and
; devenv.exe are the same pair): cmd and PowerShell try a typed name's extensions in
; PATHEXT's order, .COM before .EXE, so `frameio-desktop token` runs this one and prints,
; as on Linux and macOS. Windows starts a PE file whatever its extension, and PyInstaller's
; bootloader reads its archive from its own file and finds _internal beside it, so the
; name changes nothing else. The shortcut, the scheme handler and start-at-login name
; frameio-desktop.exe, the windowed one, in full.
Source: "{#SourceDir}\frameio-desktop-cli.exe"; DestDir: "{app}"; DestName: "frameio-desktop.com"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\Frame.io Desktop"; Filename: "{app}\frameio-desktop.exe"

#ifdef UrlScheme
; The same keys and values `frameio-desktop register-scheme` writes (core/browser/scheme.py):
; its mark, and the windowed exe with the handoff switch, so the app sees them as its own
; and `unregister-scheme` can remove them. The installed app never rewrites them.
[Registry]
Root: HKCU; Subkey: "Software\Classes\{#UrlScheme}"; ValueType: string; ValueName: ""; ValueData: "URL:{#UrlScheme}"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\{#UrlScheme}"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKCU; Subkey: "Software\Classes\{#UrlScheme}"; ValueType: string; ValueName: "frameio-desktop"; ValueData: "sign-in handler"
Root: HKCU; Subkey: "Software\Classes\{#UrlScheme}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\frameio-desktop.exe"" --handoff-url ""%1"""
#endif

[Run]
Filename: "{app}\frameio-desktop.exe"; Description: "Open Frame.io Desktop"; Flags: nowait postinstall skipifsilent

[Code]
// The addtopath task: the install folder (frameio-desktop.com, frameio-desktop-cli.exe) at the end
// of the user's own PATH (HKCU\Environment, no administrator), once; removed again on
// uninstall, or on an upgrade without the task. Entries compare without case or a
// trailing backslash.
function PathWithout(Paths, Dir: String): String;
var
  Rest, Entry: String;
  Sep: Integer;
begin
  Result := '';
  Rest := Paths + ';';
  while Rest <> '' do
  begin
    Sep := Pos(';', Rest);
    Entry := Copy(Rest, 1, Sep - 1);
    Rest := Copy(Rest, Sep + 1, Length(Rest));
    if (Entry <> '') and
       (CompareText(RemoveBackslashUnlessRoot(Entry), RemoveBackslashUnlessRoot(Dir)) <> 0) then
    begin
      if Result <> '' then
        Result := Result + ';';
      Result := Result + Entry;
    end;
  end;
end;

procedure SetAppOnUserPath(Wanted: Boolean);
var
  Paths, Changed: String;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Paths) then
    Paths := '';
  Changed := PathWithout(Paths, ExpandConstant('{app}'));
  if Wanted then
  begin
    if Changed <> '' then
      Changed := Changed + ';';
    Changed := Changed + ExpandConstant('{app}');
  end;
  if Changed <> Paths then
    RegWriteExpandStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Changed);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
    SetAppOnUserPath(WizardIsTaskSelected('addtopath'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
  begin
    SetAppOnUserPath(False);
    // Start at login (core/background.py): its per-user Run value goes with the app.
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run', 'Frame.io Desktop');
  end;
end;
