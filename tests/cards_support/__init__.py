"""Helpers for the cards tests: a deterministic synthetic hero and a throw-away site on disk."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from pipeline.config import Config, load_config

TITLES: dict[str, str] = {
    "en": "Best Exercises for Osteoporosis: Build Stronger Bones After 50",
    "de": "Die besten Übungen bei Osteoporose: Knochendichte gezielt stärken",
    "ru": "Лучшие упражнения при остеопорозе: как укрепить кости после 50",
    "ar": "أفضل التمارين لعلاج هشاشة العظام وتقوية العظام بعد الخمسين",
    "he": "התרגילים הטובים ביותר לאוסטאופורוזיס: עצמות חזקות אחרי גיל 50",
    "hi": "ऑस्टियोपोरोसिस के लिए सर्वोत्तम व्यायाम: 50 के बाद मजबूत हड्डियाँ",
    "th": "การออกกำลังกายที่ดีที่สุดสำหรับโรคกระดูกพรุนและสุขภาพกระดูก",
    "ja": "骨粗しょう症に最適な運動：50歳からの骨密度を高める科学的な方法",
    "zh": "骨质疏松症的最佳运动：五十岁后如何科学地增强骨密度与骨骼健康",
}

# One card per script (and per CJK region) for the golden images and the contact sheet: name → (lang, title).
# Titles are what a health site in that language would publish; several mix in Latin words, digits and emoji,
# because real titles do ("OpenTelemetry কী?").
SAMPLES: dict[str, tuple[str, str]] = {
    **{lang: (lang, title) for lang, title in TITLES.items()},
    "el": ("el", "Οι καλύτερες ασκήσεις για την οστεοπόρωση μετά τα 50"),
    "vi": ("vi", "Những bài tập tốt nhất cho bệnh loãng xương sau tuổi 50"),
    "fa": ("fa", "بهترین تمرین‌ها برای پوکی استخوان و تقویت استخوان‌ها بعد از ۵۰ سالگی"),
    "ur": ("ur", "ہڈیوں کی کمزوری کے لیے بہترین ورزشیں: پچاس سال کے بعد مضبوط ہڈیاں"),
    "ar-mixed": ("ar", "دليل Kubernetes 1.29 للمبتدئين: ما الجديد (2025)؟"),
    "bn": ("bn", "অস্টিওপোরোসিসের জন্য সেরা ব্যায়াম: ৫০ বছরের পর মজবুত হাড়"),
    "bn-mixed": ("bn", "OpenTelemetry কী? সিগন্যাল, ট্রেস ও মেট্রিক্সের পরিচিতি"),
    "gu": ("gu", "ઑસ્ટિઓપોરોસિસ માટે શ્રેષ્ઠ કસરતો: 50 પછી મજબૂત હાડકાં"),
    "pa": ("pa", "ਓਸਟੀਓਪੋਰੋਸਿਸ ਲਈ ਸਭ ਤੋਂ ਵਧੀਆ ਕਸਰਤਾਂ: 50 ਤੋਂ ਬਾਅਦ ਮਜ਼ਬੂਤ ਹੱਡੀਆਂ"),
    "ta": ("ta", "எலும்புப்புரைக்கான சிறந்த பயிற்சிகள்: 50 வயதுக்குப் பிறகு வலுவான எலும்புகள்"),
    "te": ("te", "ఆస్టియోపోరోసిస్ కోసం ఉత్తమ వ్యాయామాలు: 50 తర్వాత బలమైన ఎముకలు"),
    "kn": ("kn", "ಆಸ್ಟಿಯೊಪೊರೋಸಿಸ್‌ಗೆ ಅತ್ಯುತ್ತಮ ವ್ಯಾಯಾಮಗಳು: 50ರ ನಂತರ ಬಲವಾದ ಮೂಳೆಗಳು"),
    "ml": ("ml", "ഓസ്റ്റിയോപൊറോസിസിനുള്ള മികച്ച വ്യായാമങ്ങൾ: 50 കഴിഞ്ഞാൽ ശക്തമായ എല്ലുകൾ"),
    "si": ("si", "ඔස්ටියෝපොරෝසිස් සඳහා හොඳම ව්‍යායාම: 50න් පසු ශක්තිමත් අස්ථි"),
    "ka": ("ka", "საუკეთესო ვარჯიშები ოსტეოპოროზის დროს: ძლიერი ძვლები 50 წლის შემდეგ"),
    "hy": ("hy", "Լավագույն վարժությունները օստեոպորոզի դեպքում. ամուր ոսկորներ 50-ից հետո"),
    "km": ("km", "លំហាត់ប្រាណល្អបំផុតសម្រាប់ជំងឺពុកឆ្អឹង និងសុខភាពឆ្អឹងបន្ទាប់ពីអាយុ៥០ឆ្នាំ"),
    "lo": ("lo", "ການອອກກຳລັງກາຍທີ່ດີທີ່ສຸດສຳລັບໂລກກະດູກພຸນ ແລະ ສຸຂະພາບກະດູກ"),
    "my": ("my", "အရိုးပွရောဂါအတွက် အကောင်းဆုံးလေ့ကျင့်ခန်းများနှင့် အရိုးကျန်းမာရေး"),
    "am": ("am", "ለአጥንት መሳሳት ምርጥ የአካል ብቃት እንቅስቃሴዎች፡ ከ50 ዓመት በኋላ ጠንካራ አጥንቶች"),
    "ja-mixed": ("ja", "コントリビュート組織向け OpenTelemetry マーケティングガイドライン"),
    "zh-Hant": ("zh-TW", "骨質疏鬆症的最佳運動：五十歲後如何科學地增強骨密度與骨骼健康"),
    "ko": ("ko", "골다공증에 가장 좋은 운동: 50세 이후 튼튼한 뼈를 만드는 방법"),
    "emoji": ("en", "Walk every day 🚶‍♀️ and keep your bones strong 💪🏽 at any age 🇩🇪"),
}


@lru_cache(maxsize=32)
def hero_bytes(width: int = 1600, height: int = 1000, seed: int = 7, fmt: str = "JPEG") -> bytes:
    """A photo-like hero: smooth colour field, bright sky band and a few shapes; same bytes every run."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 90 + 120 * (x / width)
    g = 110 + 90 * (y / height)
    b = 160 + 60 * np.sin(x / 97.0) * np.cos(y / 61.0)
    arr = np.stack([r, g, b], axis=-1)
    arr += rng.normal(0, 6, arr.shape)
    im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(im)
    for i in range(6):
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        rad = int(rng.integers(40, 180))
        draw.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=(240, 230 - 20 * i, 200))
    buf = io.BytesIO()
    im.save(buf, fmt, quality=90)
    return buf.getvalue()


def write_post(content: Path, rel: str, meta: dict[str, object], body: str = "Body text.\n") -> Path:
    import yaml

    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body, "utf-8"
    )
    return path


def make_config(root: Path, languages: tuple[str, ...] = ("en", "ar", "ja"), processes: int = 1) -> Config:
    """Config for a site under `root` (content/ and static/), with every language RTL-flagged as it should be."""
    langs = {code: {"name": code, "dir": "rtl" if code in ("ar", "he") else "ltr"} for code in languages}
    return load_config(
        None,
        overrides={
            "site": {
                "name": "Longevity Notes",
                "content_dir": str(root / "content"),
                "static_dir": str(root / "static"),
                "languages": langs,
                "default_language": languages[0],
            },
            "cards": {"processes": processes},
        },
        environ={},
    )
