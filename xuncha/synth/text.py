"""What findings say: descriptions composed from fragments that fit the unit.

A description is one sentence an inspection report would carry, built from

- an optional time frame (``2019年至2021年，``) when the world dates the
  conduct to whole years (see :mod:`.findings`);
- a template of the finding's subcategory, some of which name a person; a
  person is always the implicated cadre of the finding, written the way public
  reports mask names (``张某某``, ``张某``), with their role at the unit
  (``主要负责人``, ``班子成员``, ``工作人员``);
- objects that belong to the unit's work (:func:`objects_for`: a hospital buys
  医用耗材, a township builds 村道硬化工程, a court holds 执行案款), amounts,
  counts and village names.

Which subcategories a unit can have at all is :func:`fits` (no 特困供养 at a
court, no 执行难 at a school).  Everything is drawn from the caller's random
stream, so the text is as deterministic as the rest of the world.
"""

from __future__ import annotations

# -- which findings fit which units -------------------------------------------------

GENERIC = frozenset((
    "weakened_leadership", "decisions_not_implemented", "theory_study", "ideological_work",
    "party_building_lacking", "cadre_selection", "eight_point_rules", "formalism",
    "bureaucratism", "hedonism", "extravagance", "strict_governance_weak", "integrity",
    "financial_management", "procurement", "office_space", "public_funds_travel",
))
# Subcategories tied to a line of work: unit kinds that have it, and name keywords
# of departments whose work it is.
SPECIFIC = {
    "grassroots": (("township", "village"), ()),
    "social_assistance": (("township", "village"),
                          ("民政", "乡村振兴", "医疗保障", "退役军人", "红十字", "总工会", "妇女")),
    "poverty_relief": (("township", "village"), ("乡村振兴", "农业农村", "财政", "供销")),
    "compensation": (("township", "village"),
                     ("自然资源", "农业农村", "住房和城乡建设", "水利", "林业", "交通运输", "不动产")),
    "judicial_enforcement": (("court", "procuratorate", "public_security"), ("司法局",)),
}


def fits(kind: str, name: str, sub: str) -> bool:
    """Whether a unit of ``kind`` called ``name`` can have a finding of ``sub``."""
    if kind == "village":
        return sub in VILLAGE_FIT
    if sub in GENERIC:
        return True
    kinds, words = SPECIFIC[sub]
    return kind in kinds or any(w in name for w in words)


VILLAGE_FIT = frozenset(("social_assistance", "poverty_relief", "compensation", "grassroots",
                         "financial_management", "formalism", "integrity",
                         "party_building_lacking"))

# -- objects of a unit's work ----------------------------------------------------------

_BY_WORD = (
    ("交通", ("农村公路养护工程", "客运站改造项目", "公路安全生命防护工程")),
    ("水利", ("水库除险加固工程", "农村饮水安全工程", "河道整治项目")),
    ("水务", ("供水管网改造工程", "污水处理厂提标项目", "二次供水设施")),
    ("住房和城乡建设", ("老旧小区改造项目", "市政道路工程", "保障性住房项目")),
    ("城市建设", ("安置房建设项目", "市政道路工程", "片区开发项目")),
    ("城市管理", ("环卫保洁服务", "市政设施维护项目", "园林绿化工程")),
    ("自然资源", ("土地整理项目", "耕地占补平衡项目", "测绘服务")),
    ("不动产", ("不动产登记信息系统", "档案数字化项目")),
    ("农业农村", ("高标准农田建设项目", "农机购置补贴", "农业产业园项目")),
    ("乡村振兴", ("衔接推进乡村振兴补助资金项目", "产业帮扶项目", "易地搬迁后续扶持项目")),
    ("林业", ("造林绿化工程", "生态护林员补助", "森林防火设施")),
    ("卫生健康", ("基层医疗卫生机构设备", "疫苗冷链设备", "卫生应急物资")),
    ("疾病预防", ("检测试剂", "疫苗冷链设备", "消杀物资")),
    ("医疗保障", ("医保基金", "定点医药机构结算", "大病保险资金")),
    ("教育", ("校舍维修工程", "学生营养改善计划", "教育信息化项目")),
    ("民政", ("养老服务补贴", "社会福利院运营经费", "殡葬服务")),
    ("人力资源", ("就业补助资金", "职业技能培训补贴", "人才引进经费")),
    ("社会保险", ("社会保险基金", "养老保险待遇", "工伤保险待遇")),
    ("退役军人", ("优抚对象补助", "退役军人就业创业扶持资金")),
    ("应急", ("应急物资储备", "安全生产专项经费")),
    ("商务", ("电子商务进农村项目", "外贸发展专项资金")),
    ("文化", ("文化惠民工程", "旅游景区提升项目", "非遗保护经费")),
    ("市场监督", ("食品安全抽检经费", "检验检测设备")),
    ("发展和改革", ("重点项目前期工作经费", "价格调节基金")),
    ("财政", ("专项转移支付资金", "财政票据", "政府债券资金")),
    ("审计", ("审计业务外包服务",)),
    ("统计", ("经济普查经费", "统计调查劳务费")),
    ("司法局", ("法律援助经费", "社区矫正经费")),
    ("融媒体", ("演播室设备", "新闻采编系统")),
    ("公共资源交易", ("电子招投标平台", "场地运维服务")),
    ("档案", ("档案数字化项目", "库房改造工程")),
    ("行政审批", ("政务服务大厅改造工程", "审批系统运维")),
    ("供销", ("农资配送项目", "基层供销社改造项目")),
    ("红十字", ("救灾捐赠物资", "人道救助资金")),
    ("总工会", ("困难职工帮扶资金", "职工疗休养经费")),
    ("妇女", ("巾帼创业扶持资金", "儿童关爱项目")),
)
_BY_KIND = {
    "hospital": ("医疗设备", "医用耗材", "药品", "住院楼改造工程", "医院信息系统"),
    "school": ("校舍维修工程", "食堂食材", "校服", "教辅资料", "学生营养餐"),
    "state_enterprise": ("工程分包", "物资采购", "设备租赁", "管网改造工程", "安置房建设项目"),
    "township": ("村道硬化工程", "农田水利设施", "人居环境整治项目", "高标准农田建设项目",
                 "村级活动场所建设", "光伏电站项目"),
    "village": ("村道硬化工程", "村集体土地发包", "小型水利设施", "村级活动场所建设",
                "人居环境整治项目"),
    "court": ("执行案款", "诉讼费", "审判法庭维修工程", "信息化建设项目"),
    "procuratorate": ("办案用房维修工程", "信息化建设项目", "司法救助资金"),
    "public_security": ("执法执勤车辆", "看守所维修工程", "警用装备"),
    "party_committee": ("会议服务", "宣传资料印制", "干部培训经费"),
    "government_department": ("信息化建设项目", "办公楼维修工程", "专项业务经费", "会务服务"),
    "public_institution": ("设备采购", "运维服务", "场馆改造工程"),
    "other": ("活动经费", "帮扶物资", "会务服务"),
}


def objects_for(kind: str, name: str) -> tuple[str, ...]:
    """Things a unit of ``kind`` called ``name`` spends money on."""
    got = _OBJECTS.get((kind, name))
    if got is None:
        got = _BY_KIND.get(kind, _BY_KIND["government_department"])
        for word, objs in _BY_WORD:
            if word in name:
                got = objs + _BY_KIND.get(kind, ())[:2]
                break
        _OBJECTS[(kind, name)] = got
    return got


_OBJECTS: dict[tuple[str, str], tuple[str, ...]] = {}


# -- templates --------------------------------------------------------------------------
# Slots: {who} the implicated person (role + masked name), {obj} an object of the
# unit's work, {amt} an amount, {n} a count, {place} a village or township name.
# Tuples: (templates without a person, templates naming one).

TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "weakened_leadership": (
        ("党组织领导核心作用发挥不充分，{obj}等重大事项未经集体研究", "落实上级重大决策部署打折扣、搞变通",
         "“三重一大”事项决策程序不规范，{n}项议题未经党组会议研究", "民主集中制执行不到位，议事规则未及时修订", "{obj}事项先执行后补会，涉及{n}项"),
        ("{who}搞“一言堂”，{obj}等事项个人说了算",),
    ),
    "decisions_not_implemented": (
        ("贯彻落实上级决策部署不到位，{obj}推进缓慢", "对上轮巡察反馈问题整改推动不力，{n}项问题未整改到位",
         "重点任务台账未按期销号，{n}项工作滞后"),
        ("{who}对{obj}工作部署后跟踪问效不够",),
    ),
    "theory_study": (
        ("理论学习中心组学习流于形式，{n}次学习无记录", "“三会一课”学习内容单一，以读代学",
         "专题学习研讨走过场，研讨发言雷同", "{n}名班子成员未按要求撰写学习心得", "学习贯彻与{obj}等业务工作结合不紧"),
        ("{who}参加集中学习次数偏少，全年缺席{n}次",),
    ),
    "ideological_work": (
        ("意识形态工作责任制落实不到位，阵地管理薄弱", "未按要求开展意识形态风险研判，全年仅研判{n}次",
         "网站和新媒体平台信息发布审核不严", "{n}个微信工作群管理不规范", "意识形态阵地排查不彻底，{n}处宣传栏内容过期"),
        (),
    ),
    "party_building_lacking": (
        ("基层党组织换届不及时，党费收缴不规范", "党建工作与业务工作“两张皮”",
         "发展党员程序不规范，{n}名党员档案材料缺失", "组织生活会批评与自我批评辣味不足", "{n}个党支部未按期召开组织生活会", "党员教育管理松散，{n}名党员长期未参加组织生活"),
        ("{who}履行党建第一责任人职责不到位",),
    ),
    "cadre_selection": (
        ("干部选拔任用程序不规范，民主推荐走过场", "违规超职数配备干部{n}名", "干部人事档案管理混乱，{n}份档案信息不一致",
         "编外人员招聘未公开，{n}人未经考试录用"),
        ("{who}违规安排亲属到本单位工作", "{who}在干部调整中打招呼、递条子"),
    ),
    "grassroots": (
        ("{place}党组织软弱涣散，“三会一课”制度落实不到位", "{place}村务公开不及时、不全面",
         "{place}“四议两公开”落实不到位，{n}项村级事务未经村民代表大会决定"),
        ("{who}长期不在村履职，村务由他人代管",),
    ),
    "eight_point_rules": (
        ("违规发放津贴补贴{amt}", "公务接待无公函、超标准，涉及{amt}", "公车管理不规范，{n}次公车私用",
         "以{obj}名义列支招待费{amt}"),
        ("{who}违规收受管理服务对象宴请{n}次", "{who}公车私用{n}次", "{who}违规领取津贴补贴{amt}"),
    ),
    "formalism": (
        ("文山会海问题依然存在，督查检查考核过多过频", "台账资料弄虚作假、重留痕轻实效",
         "{obj}工作汇报多、落实少，{n}项任务只报进度不见成效", "层层发文、以文件落实文件", "{obj}过度留痕，要求基层报送材料{n}份", "{n}个工作群、政务APP考核排名，加重基层负担"),
        (),
    ),
    "bureaucratism": (
        ("服务群众意识淡薄，办事推诿扯皮", "对群众反映问题敷衍塞责、久拖不决，{n}件信访事项超期未办结",
         "{obj}审批环节多、时限长", "{obj}办理时限平均超出承诺时限{n}个工作日", "对{n}件群众诉求答复敷衍"),
        ("{who}对群众诉求推诿扯皮",),
    ),
    "hedonism": (
        ("工作日午间饮酒问题屡禁不止", "违规出入私人会所", "上班时间脱岗离岗现象较多，抽查发现{n}人次不在岗", "值班制度执行不严，{n}次值班无人在岗"),
        ("{who}工作日午间饮酒", "{who}违规接受管理服务对象安排的娱乐活动"),
    ),
    "extravagance": (
        ("违规组织公款宴请，涉及{amt}", "婚丧喜庆事宜大操大办", "{obj}配套设施建设追求高标准，超预算{amt}"),
        ("{who}操办子女婚宴收受礼金{amt}", "{who}违规组织公款宴请{n}次，涉及{amt}"),
    ),
    "strict_governance_weak": (
        ("主体责任落实不到位，对党员干部日常监督管理宽松软", "廉政风险防控机制不健全，{obj}环节缺乏制约",
         "“一岗双责”落实不力，班子成员{n}年未开展廉政谈话", "对{obj}领域廉政风险排查不到位", "警示教育开展不经常，全年仅{n}次"),
        ("{who}履行全面从严治党第一责任人职责不到位",),
    ),
    "integrity": (
        ("违规兼职取酬{n}人次", "{obj}管理存在廉洁风险，利益输送隐患突出"),
        ("{who}利用职务便利为亲属承揽{obj}提供帮助", "{who}违规收受礼金{amt}",
         "{who}在{obj}中收受供应商好处费{amt}", "{who}违规借用管理服务对象资金{amt}",
         "{who}违规经商办企业"),
    ),
    "financial_management": (
        ("财务报销审核不严，存在白条入账{amt}", "{obj}专项资金未专款专用，挪用{amt}", "固定资产管理混乱，账实不符",
         "往来款长期挂账未清理，涉及{amt}", "违规设立“小金库”{amt}"),
        ("{who}违规审批报销费用{amt}",),
    ),
    "procurement": (
        ("{obj}未经招投标直接发包，金额{amt}", "{obj}采购化整为零规避招标，涉及{amt}",
         "{obj}存在围标串标问题", "{obj}未按合同验收即支付款项{amt}"),
        ("{who}插手干预{obj}招投标", "{who}指定{obj}供应商，涉及{amt}"),
    ),
    "office_space": (
        ("办公用房面积超标，涉及{amt}改造费用", "违规装修办公室，花费{amt}", "{n}名干部办公用房超标未整改", "超标准配置办公家具，涉及{amt}", "{n}间闲置办公用房未按规定移交"),
        ("{who}办公用房面积超标",),
    ),
    "public_funds_travel": (
        ("以考察学习为名变相公款旅游，花费{amt}", "借培训之机公款旅游，涉及{n}人次", "以{obj}调研为名组织赴外地旅游，涉及{n}人次"),
        ("{who}借考察之机公款旅游，花费{amt}",),
    ),
    "social_assistance": (
        ("{place}违规办理低保{n}户，涉及资金{amt}", "{place}“人情保”“关系保”问题突出，{n}户不符合条件",
         "特困供养人员动态管理不到位，{n}名死亡人员未及时停发", "临时救助审核把关不严，涉及{amt}"),
        ("{who}为亲属违规办理低保{n}户", "{who}优亲厚友，违规审批救助资金{amt}"),
    ),
    "poverty_relief": (
        ("{obj}资金闲置{amt}", "{place}{obj}效益低下，群众受益不明显", "{place}防止返贫监测帮扶不到位，{n}户漏评"),
        ("{who}虚报冒领{obj}资金{amt}", "{who}截留{place}帮扶资金{amt}"),
    ),
    "compensation": (
        ("{place}截留挪用征地补偿款{amt}", "惠农补贴资金发放不及时、不到位，涉及{n}户",
         "{obj}补偿标准执行不一，多付{amt}"),
        ("{who}虚报冒领{place}征地补偿款{amt}", "{who}违规为亲属多发补偿款{amt}"),
    ),
    "judicial_enforcement": (
        ("执行案件久拖不决，{n}件案件超期未结", "司法救助资金审批不规范，涉及{amt}", "{obj}管理不规范，{amt}未及时发放"),
        ("{who}违规干预执行案件{n}件", "{who}违规过问案件"),
    ),
}

ROLE_ZH = {"principal": "主要负责人", "deputy": "班子成员", "staff": "工作人员"}


def masked(name: str, surname: str, style: int) -> str:
    """``张某某`` (style 0), ``张某`` (style 1): names as public reports print them."""
    return surname + ("某某" if style == 0 else "某")


def amount_text(amount: float | None) -> str:
    if not amount:
        return "若干元"
    if amount >= 100_000:
        return f"{amount / 10_000:.2f}万元"
    return f"{amount:.0f}元"


def years_text(y1: int, y2: int) -> str:
    return f"{y1}年" if y1 == y2 else f"{y1}年至{y2}年"


# Templates that only a unit's principal can be the subject of.
PRINCIPAL_ONLY = ("第一责任人", "一言堂")


def compose(rng, sub: str, kind: str, unit_name: str, who: str | None, amount, place: str,
            years: str | None, principal: bool = False) -> str:
    """One description.  ``who`` (already masked, with role) picks a template
    naming a person (one a principal can be the subject of only if
    ``principal``); ``years`` (e.g. ``2019年至2021年``) prefixes a time frame;
    without an ``amount`` a template that needs one is avoided."""
    plain, named = TEMPLATES[sub]
    if who and not principal:
        named = tuple(t for t in named if not any(w in t for w in PRINCIPAL_ONLY))
    pool = named if who and named else plain
    if not amount:
        pool = tuple(t for t in pool if "{amt}" not in t) or pool
    tmpl = rng.choice(pool)
    text = tmpl.format(who=who or "", obj=rng.choice(objects_for(kind, unit_name)),
                       amt=amount_text(amount), n=rng.randint(2, 30), place=place)
    if years:
        text = f"{years}，{text}"
    return text


MEASURES = {
    "immediate_fix": "立行立改，已当场纠正",
    "rectification": "制定整改方案，明确责任人和时限，逐项整改",
    "rule_making": "修订完善相关制度{n}项",
    "funds_recovery": "追缴违规资金并上缴财政",
    "accountability": "依规依纪追究相关人员责任",
    "lookback_check": "巡察整改“回头看”核查整改成效",
    "spot_check": "突击察访核实整改落实情况",
}
