"""The window's look. Sizes in points so the layout holds at 100 % and 200 % scaling."""

ACCENT = "#5b53ff"

STYLE_SHEET = f"""
QMainWindow {{ background: #f6f6f9; }}
QWidget {{ font-size: 10.5pt; color: #1d1d26; }}
#header {{ background: #ffffff; border-bottom: 1px solid #e3e3ea; }}
#appTitle {{ font-size: 12pt; font-weight: 600; }}
#providerLabel {{ color: #5d5d70; background: #efeff5; border-radius: 9px; padding: 2px 10px; }}
#heading {{ font-size: 17pt; font-weight: 600; }}
#accountName {{ font-size: 15pt; font-weight: 600; }}
#muted, #note {{ color: #5d5d70; }}
#note {{ font-style: italic; }}
#card {{ background: #ffffff; border: 1px solid #e3e3ea; border-radius: 10px; }}
#fieldName {{ color: #5d5d70; }}
#fieldValue {{ font-family: "DejaVu Sans", sans-serif; }}
#countdown {{ color: {ACCENT}; font-weight: 600; }}
#avatar {{ background: {ACCENT}; color: white; border-radius: 28px; font-size: 15pt;
           font-weight: 600; }}
#warningPanel {{ background: #fff6e5; border: 1px solid #f3d092; border-radius: 10px; }}
#panelTitle {{ font-weight: 600; color: #7a4b00; }}
#panelText {{ color: #5c3a00; }}
#banner {{ background: #fff6e5; border: 1px solid #f3d092; border-radius: 8px; padding: 8px 12px;
           color: #5c3a00; }}
#sunsetNotice #noticeText {{ color: #5c3a00; }}
#sunsetNotice, #renewalPanel {{ background: #fff6e5; border: 1px solid #f3d092;
    border-radius: 8px; padding: 8px 12px; color: #5c3a00; }}
#signedInUntil {{ font-weight: 600; }}
#errorTitle {{ font-size: 17pt; font-weight: 600; color: #b42318; }}
#errorText {{ color: #3d3d4a; }}
QPushButton {{ background: #ffffff; border: 1px solid #cfcfdc; border-radius: 8px;
               padding: 6px 16px; }}
QPushButton:hover {{ background: #f1f1f7; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton:disabled {{ color: #a0a0b0; background: #f3f3f6; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT};
                               font-weight: 600; }}
QPushButton[primary="true"]:hover {{ background: #4841d9; }}
QPushButton[primary="true"]:focus {{ border: 2px solid #2a2399; }}
QPushButton[primary="true"]:disabled {{ background: #b9b5ff; border-color: #b9b5ff; }}
#addressBar {{ background: #ffffff; border-bottom: 1px solid #e3e3ea; }}
#hostLabel {{ font-family: "DejaVu Sans Mono", monospace; color: #3d3d4a; }}
#securityPill {{ border-radius: 8px; padding: 1px 8px; font-weight: 600; }}
#securityPill[level="secure"] {{ background: #e3f6e8; color: #146c2e; }}
#securityPill[level="local"] {{ background: #eef0ff; color: #3b35b5; }}
#securityPill[level="insecure"] {{ background: #fde8e7; color: #b42318; }}
QProgressBar {{ border: none; background: #e7e7f0; border-radius: 3px; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
#pageProgress {{ border-radius: 0; }}
#settingsForm QLineEdit {{ background: #ffffff; border: 1px solid #cfcfdc;
    border-radius: 6px; padding: 5px 8px; }}
#settingsForm QLineEdit:focus {{ border: 2px solid {ACCENT}; }}
#settingsForm QComboBox {{ min-height: 26px; }}
#settingsForm QLineEdit:read-only {{ background: #efeff5; color: #3d3d4a; }}
#hint {{ color: #5d5d70; font-size: 9pt; }}
#fieldMessage {{ font-size: 9.5pt; font-weight: 600; }}
#fieldMessage[level="error"] {{ color: #b42318; }}
#fieldMessage[level="warning"] {{ color: #8a5300; }}
#fieldMessage[level="pending"] {{ color: #5d5d70; font-weight: normal; }}
#formScroll, #formFields {{ background: transparent; }}
#formProblem {{ background: #fde8e7; border: 1px solid #f4b4ae; border-radius: 8px;
    padding: 8px 12px; color: #7a1a12; }}
#advancedToggle {{ border: none; font-weight: 600; color: {ACCENT}; padding: 4px 0; }}
#advancedToggle:focus {{ text-decoration: underline; }}
"""
