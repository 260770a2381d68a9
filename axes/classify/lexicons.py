"""Korean and German wordings of the clear cases, as (kind, pattern, confidence, name) rows.

The course that teaches the four axes is given in Korean and German and keeps technical terms
in English ("RLHF로 학습", "mit GRPO nachtrainiert"): the English rules in ``rules.py`` find
those terms (their ``\\b`` is script-aware, see ``textre.py``). These rows add the native words
for the same facts. Each row uses the confidence of the English rule it translates, so the
precedence of ``rules.py`` holds in every language; rows that translate no English rule but a
word as broad as "post-training" sit at 0.76, a hint the learned model may overrule.

Korean is written without trailing boundaries: particles and endings attach to the noun
("증류를", "온도는"), so a stem is the word. Spacing in Korean compounds varies
("사전 학습" / "사전학습"), hence the `` ?``. German compounds are matched by stem for the same
reason ("Kontextfenster", "Vortrainingsdaten", "Werkzeugnutzung").
"""

from __future__ import annotations

# A Korean number with its unit: "30B", "300억", "36조", "1.5 billion"
_KO_SIZE = r"\d+(?:[.,]\d+)?\s*(?:[BMT]\b|억|조|만|billion|million|trillion)"
# German: "Mrd." is a billion, "Billionen" a trillion
_DE_SIZE = r"\d+(?:[.,]\d+)?\s*(?:[BMT]\b|Milliarden|Mrd\.?|Millionen|Mio\.?|Billionen|Bio\.?)"
_DE_LETTER = r"A-Za-zÄÖÜäöüß"

KOREAN_RULES: list[tuple[str, str, float, str]] = [
    # ---- context ---------------------------------------------------------------------------
    (
        "context.license",
        r"라이[선센]스|이용 ?약관|사용 ?약관|상업적 ?(이용|사용)",
        0.8,
        "ko_license",
    ),
    (
        "context.provenance",
        r"개발(사|자|원)\s*[:：]|출시일|공개일|출시(되었|됐|했)",
        0.7,
        "ko_provenance",
    ),
    ("context.evaluation", r"벤치마크|평가 ?결과|리더보드|능가(하|합|했)", 0.72, "ko_evaluation"),
    ("context.evaluation", r"평가(되었|했|하였|에서)", 0.55, "ko_evaluated"),
    (
        "context.pretraining",
        rf"(사전 ?학습|사전 ?훈련|학습|훈련)[^.]*{_KO_SIZE}\s*(개의?\s*)?토큰"
        rf"|{_KO_SIZE}\s*(개의?\s*)?토큰[^.]*(사전 ?학습|사전 ?훈련|말뭉치|코퍼스|데이터)",
        0.9,
        "ko_pretraining_tokens",
    ),
    (
        "context.pretraining",
        r"사전 ?(학습|훈련) ?(데이터|말뭉치|코퍼스)|지식 ?(컷오프|기준일|마감)|웹 ?(데이터|크롤)|지원 ?언어",
        0.82,
        "ko_pretraining_data",
    ),
    (
        "context.hardware",
        r"GPU[^.]{0,15}시간|탄소 ?배출|이산화탄소|학습 ?(클러스터|인프라|하드웨어)|(H100|A100|H800|TPU)[^.]*(에서|로|으로) (학습|훈련)",
        0.85,
        "ko_hardware",
    ),
    # ---- backbone --------------------------------------------------------------------------
    (
        "backbone.params_active",
        rf"(활성|활성화된?) ?(파라미터|매개변수)|{_KO_SIZE}\s*(개의?\s*)?(파라미터|매개변수)?[^.]*(토큰(당|마다) )?활성화",
        0.9,
        "ko_params_active",
    ),
    (
        "backbone.params_total",
        rf"{_KO_SIZE}\s*(개의?\s*)?(파라미터|매개변수)|(파라미터|매개변수) ?(수|개수)|총 ?(파라미터|매개변수)"
        rf"|(파라미터|매개변수)(는|가|은)?\s*[:：]?\s*{_KO_SIZE}",
        0.85,
        "ko_params_total",
    ),
    (
        "backbone.context_length",
        r"(컨텍스트|문맥|맥락) ?(길이|창|윈도우?|크기)[^.]*?\d|\d+\s*[kK]\s*(토큰\s*)?(컨텍스트|문맥)|최대 ?(시퀀스|입력|컨텍스트) ?길이"
        r"|(컨텍스트|문맥)(는|가|은|를|을)?\s*[:：]?\s*(최대\s*)?\d+(?:[.,]\d+)?\s*[kKmM만]",
        0.78,
        "ko_context_length",
    ),
    (
        "backbone.attention",
        r"그룹(화된)? ?쿼리 ?어텐션|멀티 ?쿼리 ?어텐션|슬라이딩 ?윈도우|어텐션 ?헤드|KV ?헤드|잠재 ?어텐션|선형 ?어텐션|주의 ?헤드"
        r"|헤드 ?(수|개수)?(는|가|은)?\s*[:：]?\s*\d+\s*개|\d+\s*개의?\s*헤드",
        0.85,
        "ko_attention",
    ),
    ("backbone.positional", r"회전 ?(위치 ?)?임베딩|위치 ?(임베딩|인코딩)", 0.8, "ko_positional"),
    (
        "backbone.moe",
        r"\d+\s*개의?\s*(라우팅된? |공유 |활성화?된? )?전문가|전문가 ?\d+\s*개|전문가 ?(라우팅|수)|라우터|부하 ?분산|공유 ?전문가",
        0.85,
        "ko_moe",
    ),
    (
        "backbone.decoder_type",
        r"전문가 ?혼합|혼합 ?전문가|밀집 ?(모델|트랜스포머|디코더)|하이브리드 ?(아키텍처|구조)",
        0.75,
        "ko_decoder_type",
    ),
    (
        "backbone.layers",
        r"\d+\s*개?의?\s*(트랜스포머 ?)?(레이어|층)|(레이어|층) ?수|레이어\s*[:：]|레이어(는|가|은)?\s*\d+\s*개",
        0.8,
        "ko_layers",
    ),
    (
        "backbone.hidden_size",
        r"은닉 ?(차원|크기|상태 ?크기)|히든 ?(크기|사이즈|차원)|임베딩 ?(차원|크기)|중간 ?(크기|차원)",
        0.85,
        "ko_hidden_size",
    ),
    ("backbone.ffn", r"활성화 ?함수", 0.85, "ko_ffn"),
    ("backbone.norm", r"정규화 ?(층|레이어)|레이어 ?정규화", 0.85, "ko_norm"),
    (
        "backbone.embeddings",
        r"어휘 ?(크기|사전|집)|단어 ?사전|임베딩을? ?공유|공유된? ?임베딩|묶인 ?임베딩",
        0.78,
        "ko_embeddings",
    ),
    (
        "backbone.modality",
        r"비전 ?인코더|이미지 ?인코더|오디오 ?인코더|음성 ?인코더|멀티 ?모달|다중 ?모달",
        0.78,
        "ko_modality",
    ),
    (
        "backbone.weights_format",
        r"양자화된? ?(가중치|체크포인트)|가중치 ?(형식|포맷|파일)|(FP8|BF16|FP16|INT4|INT8|MXFP4) ?(가중치|체크포인트)",
        0.8,
        "ko_weights_format",
    ),
    (
        "backbone.family",
        r"디코더 ?전용|자기 ?회귀|트랜스포머 ?(아키텍처|구조)",
        0.7,
        "ko_family",
    ),
    # ---- post-training ---------------------------------------------------------------------
    (
        "post_training.lineage",
        r"(?<![\w.-])[A-Za-z0-9][\w.-]*(을|를|에서)\s*(미세 ?조정|파인 ?튜닝|추가 ?학습)(한|된|했|하였)"
        r"|기반으로 ?(한|하는|구축|만든|미세|파인)|(베이스|기본) ?모델\s*[:：]|의 양자화 ?버전",
        0.8,
        "ko_lineage",
    ),
    ("post_training.merge", r"병합|머지(된|했|하|하여)", 0.88, "ko_merge"),
    ("post_training.adapter", r"어댑터", 0.88, "ko_adapter"),
    ("post_training.rl", r"강화 ?학습|검증 ?가능한 ?보상", 0.8, "ko_rl"),
    (
        "post_training.preference",
        r"선호(도)? ?(최적화|데이터|학습|정렬|튜닝)|(인간|사람)의? ?(피드백|선호)|보상 ?모델",
        0.86,
        "ko_preference",
    ),
    ("post_training.distillation", r"증류|교사 ?모델|티처 ?모델", 0.84, "ko_distillation"),
    (
        "post_training.safety",
        r"레드 ?팀|안전(성)? ?(학습|정렬|튜닝|미세 ?조정|데이터|훈련)|거부 ?(응답|행동)",
        0.84,
        "ko_safety",
    ),
    (
        "post_training.continued",
        r"(지속|연속|추가|계속) ?사전 ?(학습|훈련)|미드 ?트레이닝|중간 ?학습|(긴|장문) ?(컨텍스트|문맥) ?확장",
        0.88,
        "ko_continued",
    ),
    (
        "post_training.sft",
        r"지도 ?(학습 ?)?미세 ?조정|지시 ?(튜닝|조정|미세 ?조정)|명령어 ?튜닝"
        r"|(데이터|데이터셋|예제|예시)(으?로|를 사용해|를 이용해)\s*(미세 ?조정|파인 ?튜닝|학습|훈련)|합성 ?데이터",
        0.8,
        "ko_sft",
    ),
    ("post_training.sft", r"미세 ?조정|파인 ?튜닝", 0.76, "ko_finetuning"),
    (
        "post_training.stage",
        r"사후 ?(학습|훈련)|포스트 ?트레이닝|후처리(되|하|했|를|로|학습)",
        0.76,
        "ko_post_training",
    ),
    (
        "post_training.stage",
        r"(인스트럭트|지시|명령어?) ?(튜닝된 ?)?(모델|버전)|사전 ?학습된 ?(모델|버전)|(베이스|기본) ?(모델|버전)|추론 ?모델|(채팅|대화형) ?모델",
        0.72,
        "ko_stage",
    ),
    # ---- inference -------------------------------------------------------------------------
    (
        "inference.serving",
        r"(서버|GPU|클라우드|로컬|프로덕션|엣지)(에|에서)? ?배포|배포 ?환경|서빙|로컬(에서)? ?(실행|추론|구동)|추론 ?엔진|단일 ?(GPU|H100|A100|그래픽)|\d+\s*GB(의)? ?(메모리|VRAM|RAM)|텐서 ?병렬|(4|8)비트로 ?(로드|불러)",
        0.82,
        "ko_serving",
    ),
    (
        "inference.reasoning_mode",
        r"(추론|생각|사고|씽킹|thinking) ?모드|(생각|사고|추론) ?(과정|예산|강도|수준|사슬)"
        r"|(생각|사고|thinking|씽킹)(을|를)? ?(켜|끄|활성화|비활성화|전환)",
        0.86,
        "ko_reasoning_mode",
    ),
    (
        "inference.sampling",
        r"온도|샘플링|반복 ?페널티|최대 ?(생성 ?)?토큰 ?수|그리디 ?디코딩|탐욕적 ?디코딩",
        0.88,
        "ko_sampling",
    ),
    (
        "context.evaluation",
        r"(평가|벤치마크)[^.]*(온도|샘플링|top-?p)",
        0.95,
        "ko_eval_protocol",
    ),
    (
        "inference.decoding",
        r"추측(적)? ?디코딩|투기적 ?디코딩|스펙큘레이티브 ?디코딩|빔 ?서치|구조화된 ?출력|제약 ?(디코딩|생성)|JSON ?모드",
        0.9,
        "ko_decoding",
    ),
    (
        "inference.chat_format",
        r"(채팅|대화) ?(템플릿|형식)|프롬프트 ?(형식|템플릿|포맷)|특수 ?토큰|제어 ?토큰",
        0.86,
        "ko_chat_format",
    ),
    (
        "inference.context_runtime",
        r"(YaRN|rope_scaling|RoPE ?스케일링)[^.]*(추가|활성|사용|적용|설정|확장)",
        0.87,
        "ko_context_runtime",
    ),
    # ---- product ---------------------------------------------------------------------------
    (
        "product.tool_use",
        r"도구|툴 ?(호출|사용|콜)|함수 ?호출|펑션 ?콜링|코드 ?인터프리터|웹 ?(검색|브라우징)",
        0.82,
        "ko_tool_use",
    ),
    (
        "product.agent",
        r"에이전트|에이전틱|자율적(으로)?|다단계 ?(작업|워크플로)|컴퓨터 ?사용",
        0.8,
        "ko_agent",
    ),
    # the English product_router rule's wording: a router in an app choosing the model, never
    # where the statement speaks of experts or tokens (the MoE's router)
    (
        "product.agent",
        r"^(?![\s\S]*(?:전문가|\bexperts?\b|\bMoE\b|토큰|\btokens?\b|\btop-?\d+|\btop-?k\b))"
        r"[\s\S]*?(?:\b(ChatGPT|Gemini ?앱|Copilot|Claude\.ai)\b[^.]{0,20}라우(터|팅)"
        r"|(실시간|모델) ?라우터"
        r"|모델 ?(사이|간)(를|에서|의)? ?라우팅|라우(터|팅)[^.]{0,20}(여러|두|다른) ?모델)",
        0.87,
        "ko_product_router",
    ),
    (
        "product.rag",
        r"검색 ?증강|검색 ?기반 ?(생성|응답|답변)|출처 ?(표시|인용)|근거 ?기반 ?(답변|생성)|문서 ?(QA|질의 ?응답)",
        0.82,
        "ko_rag",
    ),
    (
        "product.system_prompt",
        r"시스템 ?(프롬프트|메시지)|페르소나|^\s*\"?당신은 ",
        0.84,
        "ko_system_prompt",
    ),
    (
        "product.guardrails",
        r"가드레일|안전 ?장치|세이프가드|콘텐츠 ?(필터|안전|검열)|모더레이션|탈옥|프롬프트 ?(인젝션|주입)|안전 ?분류기",
        0.84,
        "ko_guardrails",
    ),
    (
        "product.memory",
        r"장기 ?(기억|메모리)|대화 ?기억|이전 ?대화를? ?기억|영구 ?메모리",
        0.85,
        "ko_memory",
    ),
    (
        "product.intended_use",
        r"사용 ?사례|활용 ?사례|적합(합니다|한|하다)|연구 ?(목적|용)으로만|의도된 ?(용도|사용)|사용 ?범위|범위 ?밖|제한 ?사항|한계",
        0.74,
        "ko_intended_use",
    ),
    # ---- none ------------------------------------------------------------------------------
    (
        "none",
        r"인용(하려면|해 ?주세요|할 ?때|하실)|문의(해|하시|는)|디스코드|뉴스레터|블로그 ?(글|포스트)|감사(드립니다|의 ?말)",
        0.7,
        "ko_none",
    ),
]

GERMAN_RULES: list[tuple[str, str, float, str]] = [
    # ---- context ---------------------------------------------------------------------------
    (
        "context.license",
        r"Lizenz|lizenziert|Nutzungsbedingungen|kommerziellen? (Nutzung|Verwendung|Einsatz)",
        0.8,
        "de_license",
    ),
    (
        "context.provenance",
        r"entwickelt von|Veröffentlichungsdatum|Erscheinungsdatum|veröffentlicht (am|im)|Entwickler\s*:",
        0.7,
        "de_provenance",
    ),
    (
        "context.evaluation",
        r"Benchmark|Bewertungsergebnis|Evaluationsergebnis|übertrifft|übertraf|Bestenliste|Leaderboard",
        0.72,
        "de_evaluation",
    ),
    ("context.evaluation", r"evaluiert|Evaluation|Evaluierung", 0.55, "de_evaluated"),
    (
        "context.pretraining",
        rf"(vortrainiert|trainiert|Vortraining)[^.]*{_DE_SIZE}\s*(?:[\w-]+\s+){{0,3}}Tokens?"
        rf"|{_DE_SIZE}\s*(?:[\w-]+\s+){{0,3}}Tokens?[^.]*(vortrain|Korpus|Daten)",
        0.9,
        "de_pretraining_tokens",
    ),
    (
        "context.pretraining",
        r"Vortrainingsdaten|Vortrainingskorpus|Vortrainings-?Datensatz|Wissensstand|Wissensgrenze|Stichtag der (Trainings)?daten|Webdaten|Web-Daten|Webcrawl|unterstützte Sprachen",
        0.82,
        "de_pretraining_data",
    ),
    (
        "context.hardware",
        r"GPU-Stunden|CO2|Kohlenstoff|Emissionen|Rechencluster|Trainingsinfrastruktur|Trainingshardware"
        r"|(trainiert|Training) (auf|mit) [^.]*(H100|A100|H800|TPU|GPU)s?",
        0.85,
        "de_hardware",
    ),
    # ---- backbone --------------------------------------------------------------------------
    (
        "backbone.params_active",
        r"aktive[nrs]? Parameter|Parameter\s+(sind\s+)?aktiv\b|aktivierte[nrs]? Parameter|pro Token aktiv",
        0.9,
        "de_params_active",
    ),
    (
        "backbone.params_total",
        rf"{_DE_SIZE}\s*(?:[\w-]+\s+)?Parameter|Parameteranzahl|Anzahl der Parameter|Gesamtparameter",
        0.85,
        "de_params_total",
    ),
    (
        "backbone.context_length",
        r"(Kontextlänge|Kontextfenster|Kontextgröße|Sequenzlänge|maximale (Kontext|Sequenz)länge)[^.]*?\d"
        r"|\d+\s*[kK]\s*(Token-?)?Kontext",
        0.78,
        "de_context_length",
    ),
    (
        "backbone.attention",
        r"gruppierte[nrs]? Query|Aufmerksamkeitsköpfe|Attention-Köpfe|Attention-Heads|KV-Köpfe|gleitende[snm]? Fenster"
        r"|\d+\s*Köpfe|Köpfe\s*[:|]?\s*\d",
        0.85,
        "de_attention",
    ),
    (
        "backbone.positional",
        r"Rotationspositions|rotierende Positions|Positionskodierung|Positionseinbettung",
        0.8,
        "de_positional",
    ),
    (
        "backbone.moe",
        r"\d+\s*(geroutete[nr]? |gemeinsame[nr]? |aktive[nr]? |aktivierte[nr]? )?Experten|Experten pro Token|Lastverteilung|Lastausgleich|gemeinsam genutzte[nr]? Experten",
        0.85,
        "de_moe",
    ),
    (
        "backbone.decoder_type",
        r"Expertenmischung|dichte[snm]? (Modell|Decoder|Transformer)|hybride Architektur|Hybridarchitektur",
        0.75,
        "de_decoder_type",
    ),
    (
        "backbone.layers",
        r"\d+\s*(Transformer-)?Schichten|Anzahl der Schichten|Schichtanzahl|Schichten\s*[:|]?\s*\d"
        r"|\d+\s*(Transformer-)?Layer\b",
        0.8,
        "de_layers",
    ),
    (
        "backbone.hidden_size",
        r"versteckte Dimension|verborgene (Größe|Dimension)|Einbettungsdimension|Embedding-Dimension|Zwischengröße",
        0.85,
        "de_hidden_size",
    ),
    ("backbone.ffn", r"Aktivierungsfunktion", 0.85, "de_ffn"),
    ("backbone.norm", r"Normalisierungsschicht|Schichtnormalisierung", 0.85, "de_norm"),
    (
        "backbone.embeddings",
        r"Vokabular|Wortschatz|gebundene Einbettungen|geteilte Einbettungen",
        0.78,
        "de_embeddings",
    ),
    (
        "backbone.modality",
        r"Bildencoder|Bild-Encoder|Vision-Encoder|Audioencoder|Audio-Encoder|Sprachencoder|multimodale[snmr]?\b",
        0.78,
        "de_modality",
    ),
    (
        "backbone.weights_format",
        r"quantisierte Gewichte|quantisierte Checkpoints?|Gewichtsformat|Gewichte (im|in) (FP8|BF16|FP16|MXFP4|INT4|INT8)"
        r"|(FP8|BF16|FP16|INT4|INT8|MXFP4)-(Gewichte|Quantisierung|Checkpoint)",
        0.8,
        "de_weights_format",
    ),
    (
        "backbone.family",
        r"reine[rsn]? Decoder|autoregressive[snm]? (Sprach)?modell|Transformer-Architektur",
        0.7,
        "de_family",
    ),
    # ---- post-training ---------------------------------------------------------------------
    (
        "post_training.lineage",
        r"feinabgestimmte Version (von|des)|quantisierte Version (von|des)|aufbauend auf|baut auf [^.]* auf|Basismodell\s*[:*]"
        r"|basiert auf [^.]*(Base|Instruct)\b|(von|aus) [^.]*(feinabgestimmt|nachtrainiert|finegetunt|gefinetunt)",
        0.8,
        "de_lineage",
    ),
    (
        "post_training.merge",
        r"zusammengeführt|Zusammenführung|verschmolzen|Verschmelzung|fusioniert|gemergt",
        0.88,
        "de_merge",
    ),
    ("post_training.adapter", r"Adapter", 0.88, "de_adapter"),
    (
        "post_training.rl",
        r"(bestärkend|verstärkend)\w*\s+Lern|Reinforcement-Learning|verifizierbare[nr]? Belohnung",
        0.8,
        "de_rl",
    ),
    (
        "post_training.preference",
        r"menschliche[nsm]? (Feedback|Rückmeldung|Präferenz)|Präferenzoptimierung|Präferenzdaten|Präferenz-?Alignment|Belohnungsmodell",
        0.86,
        "de_preference",
    ),
    (
        "post_training.distillation",
        r"Destillation|destilliert|Lehrermodell",
        0.84,
        "de_distillation",
    ),
    (
        "post_training.safety",
        r"Red-?Teaming|Sicherheits(training|feinabstimmung|daten|ausrichtung)|Verweigerung|verweiger",
        0.84,
        "de_safety",
    ),
    (
        "post_training.continued",
        r"(fortgesetzt|weiter|kontinuierlich)\w*\s+Vortraining|Langkontext-?Erweiterung|Kontexterweiterung",
        0.88,
        "de_continued",
    ),
    (
        "post_training.sft",
        r"überwachte[snm]? (Feinabstimmung|Finetuning|Fine-Tuning)|Instruktionstuning"
        r"|feinabgestimmt (auf|mit)|(Feinabstimmung|Finetuning|Fine-Tuning) (auf|mit)|synthetische[nr]? Daten|Feinabstimmungsdaten",
        0.8,
        "de_sft",
    ),
    (
        "post_training.sft",
        r"Feinabstimmung|feinabgestimmt|finegetunt|gefinetunt|Feintuning|Finetuning|feingetunt",
        0.76,
        "de_finetuning",
    ),
    ("post_training.stage", r"Nachtraining|nachtrainiert", 0.76, "de_post_training"),
    (
        "post_training.stage",
        r"instruktionsoptimiert|Instruct-(Modell|Version)|Basisversion|vortrainierte[snm]? (Modell|Version)|Chat-Modell|Reasoning-Modell"
        r"|Basismodell(?!\s*[:*])|nur vortrainiert",
        0.72,
        "de_stage",
    ),
    # ---- inference -------------------------------------------------------------------------
    (
        "inference.serving",
        r"Bereitstellung|bereitstellen|bereitgestellt|Inferenz-?Engine|lokal (ausführ|betreib|laufen)|auf einer einzigen (GPU|H100|A100)"
        r"|Einzel-GPU|\d+\s*GB (Arbeitsspeicher|VRAM|Grafikspeicher|Speicher)|Tensor-Parallel",
        0.82,
        "de_serving",
    ),
    (
        "inference.reasoning_mode",
        r"Denkmodus|Nicht-Denkmodus|Denkbudget|Reasoning-Modus|Reasoning-Aufwand|Denkprozess|Gedankenkette|Thinking-Modus"
        r"|(schaltet|schalten|lässt sich)\b[^.,;]*\b(Denken|Thinking)\b[^.,;]*\b(ein|aus|an|ab)\b"
        r"|\b(Denken|Thinking)\b[^.,;]*\b(ein|aus|an|ab)(schalten|geschaltet)\b",
        0.86,
        "de_reasoning_mode",
    ),
    (
        "inference.sampling",
        r"Temperatur|Sampling-Parameter|Stichprobenparameter|Wiederholungsstrafe|maximale Ausgabelänge|gierige Dekodierung",
        0.88,
        "de_sampling",
    ),
    (
        "context.evaluation",
        r"(Benchmark|Evaluation|Evaluierung|Bewertung)[^.]*(Temperatur|top-?p|Sampling)",
        0.95,
        "de_eval_protocol",
    ),
    (
        "inference.decoding",
        r"spekulative[snm]? Dekodierung|Strahlsuche|Beam-Suche|strukturierte Ausgabe|eingeschränkte Dekodierung|JSON-Modus",
        0.9,
        "de_decoding",
    ),
    (
        "inference.chat_format",
        r"Chat-?Vorlage|Prompt-Format|Prompt-Vorlage|Sondertoken|Spezial-?Token|Chat-Format|Gesprächsformat",
        0.86,
        "de_chat_format",
    ),
    (
        "inference.context_runtime",
        r"(YaRN|rope_scaling|RoPE-Skalierung)[^.]*(aktivier|hinzufüg|verwend|nutz|erweiter|setz)|längere Kontexte",
        0.87,
        "de_context_runtime",
    ),
    # ---- product ---------------------------------------------------------------------------
    (
        "product.tool_use",
        r"Werkzeug|Tool-Nutzung|Toolnutzung|Tool-Aufruf|Funktionsaufruf|Code-?Interpreter|Websuche",
        0.82,
        "de_tool_use",
    ),
    (
        "product.agent",
        rf"(?<![{_DE_LETTER}])agent(en|in|isch)|autonom|mehrstufige[nr]? (Aufgaben|Workflows|Abläufe)|Computersteuerung",
        0.8,
        "de_agent",
    ),
    (
        "product.rag",
        r"abruf(gestützt|erweitert)|Dokumentensuche|Quellenangabe|Retrieval-gestützt",
        0.82,
        "de_rag",
    ),
    (
        "product.system_prompt",
        r"Systemprompt|System-Prompt|Systemnachricht|Systemanweisung|^\s*\"?(Du bist|Sie sind) ein",
        0.84,
        "de_system_prompt",
    ),
    (
        "product.guardrails",
        r"Schutzmechanism|Schutzmaßnahme|Leitplanken|Inhaltsfilter|Moderation|Jailbreak|Prompt-Injection|Sicherheitsklassifikator",
        0.84,
        "de_guardrails",
    ),
    (
        "product.memory",
        r"Langzeitgedächtnis|Gesprächsgedächtnis|erinnert sich an (frühere|vergangene) Gespräche",
        0.85,
        "de_memory",
    ),
    (
        "product.intended_use",
        r"gedacht für|vorgesehen für|bestimmt für|Anwendungsfälle|Einsatzzweck|geeignet für|nur für (die )?Forschung"
        r"|nicht (vorgesehen|gedacht|bestimmt)|Einschränkungen",
        0.74,
        "de_intended_use",
    ),
    # ---- none ------------------------------------------------------------------------------
    (
        "none",
        r"zitieren|Zitation|kontaktieren|Discord|Newsletter|Blogbeitrag|Danksagung|wir danken",
        0.7,
        "de_none",
    ),
]
