"""Request bodies of the Catalog API (PascalCase, as VTEX spells them)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from vtex_sandbox.catalog_common import CatalogModel, Flag


class CategoryIn(CatalogModel):
    Id: int | None = None
    Name: str
    FatherCategoryId: int | None = None
    Title: str | None = None
    Description: str | None = None
    Keywords: str | None = None
    IsActive: Flag = False
    LomadeeCampaignCode: str | None = None
    AdWordsRemarketingCode: str | None = None
    ShowInStoreFront: Flag = False
    ShowBrandFilter: Flag = False
    ActiveStoreFrontLink: Flag = False
    GlobalCategoryId: int | None = None
    StockKeepingUnitSelectionMode: str | None = None
    Score: int | None = None
    LinkId: str | None = None


class BrandIn(CatalogModel):
    Id: int | None = None
    Name: str
    Text: str | None = None
    Keywords: str | None = None
    SiteTitle: str | None = None
    Active: Flag = False
    MenuHome: Flag = False
    AdWordsRemarketingCode: str | None = None
    LomadeeCampaignCode: str | None = None
    Score: int | None = None
    LinkId: str | None = None


class SpecificationGroupIn(CatalogModel):
    Id: int | None = None
    CategoryId: int | None = None  # left out for a root-category group (for all categories)
    Name: str
    Position: int | None = None


class SpecificationFieldIn(CatalogModel):
    Id: int | None = None
    FieldTypeId: int
    FieldGroupId: int
    Name: str = Field(max_length=100)
    CategoryId: int | None = None
    IsStockKeepingUnit: Flag = False
    IsRequired: Flag = False
    IsActive: Flag = False
    IsFilter: Flag = False
    IsOnProductDetails: Flag = False
    IsTopMenuLinkActive: Flag = False
    IsSideMenuLinkActive: Flag = False
    IsWizard: Flag = False
    Position: int | None = None
    DefaultValue: str | None = None
    Description: str | None = None


class SpecificationValueIn(CatalogModel):
    FieldId: int
    Name: str
    Text: str | None = None
    IsActive: Flag = False
    Position: int | None = None


class ProductIn(CatalogModel):
    Id: int | None = None
    Name: str = Field(max_length=150)
    CategoryId: int | None = None
    BrandId: int | None = None
    CategoryPath: str | None = None
    BrandName: str | None = None
    DepartmentId: int | None = None
    LinkId: str | None = None
    RefId: str | None = Field(default=None, max_length=100)
    IsVisible: Flag = False
    Description: str | None = None
    DescriptionShort: str | None = None
    ReleaseDate: str | None = None
    KeyWords: str | None = None
    Title: str | None = Field(default=None, max_length=150)
    IsActive: Flag = False
    TaxCode: str | None = None
    MetaTagDescription: str | None = None
    SupplierId: int | None = None
    ShowWithoutStock: Flag = False
    AdWordsRemarketingCode: str | None = None
    LomadeeCampaignCode: str | None = None
    Score: int | None = None


class ProductSpecificationIn(CatalogModel):
    FieldId: int
    FieldValueId: int | None = None
    Text: str | None = None


class LegacyProductSpecificationIn(CatalogModel):
    Id: int | None = None
    Name: str | None = None
    Value: list[str]


class SkuIn(CatalogModel):
    Id: int | None = None
    ProductId: int
    Name: str = Field(max_length=200)
    RefId: str | None = Field(default=None, max_length=50)
    IsActive: Flag = False
    ActivateIfPossible: Flag = False
    PackagedHeight: float
    PackagedLength: float
    PackagedWidth: float
    PackagedWeightKg: float = Field(gt=0)
    Height: float | None = None
    Length: float | None = None
    Width: float | None = None
    WeightKg: float | None = None
    CubicWeight: float | None = None
    IsKit: Flag = False
    CreationDate: str | None = None
    RewardValue: float | None = None
    EstimatedDateArrival: str | None = None
    ManufacturerCode: str | None = None
    CommercialConditionId: int | None = None
    MeasurementUnit: str | None = None
    UnitMultiplier: float | None = None
    ModalType: str | None = None
    KitItensSellApart: Flag = False
    Videos: list[Any] | None = None


class SkuSpecificationIn(CatalogModel):
    Id: int | None = None
    FieldId: int
    FieldValueId: int | None = None
    Text: str | None = None


class SkuFileIn(CatalogModel):
    Name: str
    Url: str
    IsMain: Flag = False
    Label: str | None = None
    Text: str | None = None
    Position: int | None = None
