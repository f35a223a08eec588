"""Name pools for synthetic people and places.

Surnames carry their approximate share of China's population (per cent, after
the 2020 census tables), so that 王, 李, 张 are each about one person in
fourteen and identical full names (张伟, 王芳 …) occur the way they do in real
ledgers: people must be told apart by id, never by name.

Given names are one character (about a third of names, the main source of
namesakes) or two, drawn from gendered pools.  Place names are two syllables
from pools of common place-name characters plus a suffix (县, 镇, 村 …).
"""

from __future__ import annotations

SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.12), ("李", 7.00), ("张", 6.74), ("刘", 5.10), ("陈", 4.61), ("杨", 3.22),
    ("黄", 2.45), ("赵", 2.19), ("吴", 2.05), ("周", 1.99), ("徐", 1.57), ("孙", 1.51),
    ("马", 1.38), ("朱", 1.33), ("胡", 1.23), ("郭", 1.17), ("何", 1.15), ("林", 1.06),
    ("高", 1.05), ("罗", 0.99), ("郑", 0.88), ("梁", 0.86), ("谢", 0.75), ("宋", 0.70),
    ("唐", 0.69), ("许", 0.61), ("韩", 0.60), ("邓", 0.59), ("冯", 0.59), ("曹", 0.57),
    ("彭", 0.56), ("曾", 0.54), ("肖", 0.53), ("田", 0.52), ("董", 0.51), ("潘", 0.50),
    ("袁", 0.49), ("蔡", 0.48), ("蒋", 0.48), ("余", 0.47), ("于", 0.46), ("杜", 0.45),
    ("叶", 0.44), ("程", 0.43), ("魏", 0.42), ("苏", 0.41), ("吕", 0.40), ("丁", 0.39),
    ("任", 0.38), ("卢", 0.37), ("姚", 0.36), ("沈", 0.35), ("钟", 0.34), ("姜", 0.33),
    ("崔", 0.32), ("谭", 0.31), ("陆", 0.30), ("范", 0.29), ("汪", 0.29), ("廖", 0.28),
    ("石", 0.28), ("金", 0.27), ("韦", 0.27), ("贾", 0.26), ("夏", 0.25), ("付", 0.25),
    ("方", 0.24), ("邹", 0.23), ("熊", 0.23), ("白", 0.22), ("孟", 0.22), ("秦", 0.21),
    ("邱", 0.21), ("侯", 0.20), ("江", 0.20), ("尹", 0.19), ("薛", 0.19), ("闫", 0.18),
    ("段", 0.18), ("雷", 0.17), ("龙", 0.17), ("黎", 0.16), ("史", 0.16), ("陶", 0.16),
    ("贺", 0.15), ("毛", 0.15), ("郝", 0.15), ("顾", 0.14), ("龚", 0.14), ("邵", 0.13),
    ("万", 0.13), ("覃", 0.13), ("武", 0.12), ("钱", 0.12), ("戴", 0.12), ("严", 0.11),
    ("莫", 0.11), ("孔", 0.10), ("向", 0.10), ("常", 0.10), ("汤", 0.10), ("康", 0.09),
    ("易", 0.09), ("乔", 0.09), ("赖", 0.09), ("文", 0.09), ("施", 0.08), ("洪", 0.08),
    ("辛", 0.07), ("柯", 0.07), ("庄", 0.07), ("欧阳", 0.05), ("司马", 0.01),
    ("诸葛", 0.005), ("上官", 0.005),
)

MALE_CHARS = tuple("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯健俊帆旭宇林文建国志峰海东亮成春龙洪新庆荣云德清正兵良晨阳博斌毅彬锋卫忠民江")
FEMALE_CHARS = tuple("芳娜敏静丽艳娟霞燕玲桂英秀兰萍红梅琳婷雪慧莉倩颖洁琴丹晶婧璐佳欣怡悦薇蕾晓月凤洁云霞")
# Second characters of two-character given names (both genders).
SECOND_CHARS_M = tuple("华明军平林国忠伟东辉杰斌峰刚勇涛强波文荣新生海龙宇浩飞")
SECOND_CHARS_F = tuple("华芳英兰萍红霞丽燕玲娟敏静婷琳洁颖慧梅莉")

PLACE_FIRST = tuple("东西南北清安永长平宁新兴丰泰福宝金玉云青白黄龙凤石桃柳松梅临江河湖山川阳和华德仁义顺昌盛吉嘉乐鹤沙溪")
PLACE_SECOND = tuple("山江河湖阳平安宁城州源泉溪川林峰田桥口坪湾岭塘庄丰兴化昌德原洲水岗")

# Digits of the 18-digit resident ID check character (GB 11643).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check(first17: str) -> str:
    """The GB 11643 check character of a 17-digit ID prefix.

    >>> id_check("11010519491231002")
    'X'
    """
    s = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[s % 11]


class NamePool:
    """Draws names with realistic surname frequency from one ``random.Random``."""

    def __init__(self, rng):
        self.rng = rng
        self.surnames = [s for s, _ in SURNAMES]
        cum, total = [], 0.0
        for _, w in SURNAMES:
            total += w
            cum.append(total)
        self.cum = cum

    def surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.cum, k=1)[0]

    def given(self, male: bool) -> str:
        r = self.rng
        first = MALE_CHARS if male else FEMALE_CHARS
        if r.random() < 0.33:
            return r.choice(first)
        second = SECOND_CHARS_M if male else SECOND_CHARS_F
        return r.choice(first) + r.choice(second)

    def person(self, male: bool, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(male)


def place_names(rng, n: int, suffix: str, taken: set[str]) -> list[str]:
    """``n`` distinct place names ending in ``suffix``, none already in ``taken``."""
    out: list[str] = []
    tries = 0
    while len(out) < n:
        tries += 1
        name = rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND)
        if name[0] == name[1]:
            continue
        if tries > 50 * n + 1000:  # pool exhausted: add a third character
            name += rng.choice(PLACE_SECOND)
        name += suffix
        if name in taken:
            continue
        taken.add(name)
        out.append(name)
    return out
